#include "report/text_report.h"

#include <fmt/format.h>

#include <iterator>
#include <map>

#include "report/report_summary.h"
#include "report/visible_text.h"

namespace alignwatch::report {

namespace {

using scan::Severity;

constexpr size_t kExcerptBytes = 160;
constexpr size_t kMessageBytes = 400;
constexpr size_t kTriggerBytes = 80;
constexpr size_t kNameBytes = 120;

std::string human_bytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "0%" : fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / whole);
}

// "name 3, other 1", in key order; "none" when empty.
std::string count_list(const std::map<std::string, uint64_t>& counts) {
  std::string out;
  for (const auto& [key, n] : counts) {
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", visible_text(key, kNameBytes), n);
  }
  return out.empty() ? "none" : out;
}

std::string severity_counts(const std::map<std::string, uint64_t>& by_severity) {
  std::string out;
  for (Severity s :
       {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo}) {
    auto it = by_severity.find(std::string(severity_name(s)));
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", severity_name(s), it == by_severity.end() ? 0 : it->second);
  }
  return out;
}

// "file:line: message [code]", with the file's own path when the status carries none.
std::string status_line(const Status& status) {
  return fmt::format("{} [{}]", visible_text(status.to_string(), kMessageBytes),
                     status_code_name(status.code()));
}

void append_counts(std::string& out, const ReportSummary& s) {
  out += fmt::format("findings: {} ({}) in {} reported records\n", s.findings,
                     severity_counts(s.findings_by_severity), s.records_reported);
  if (s.records_with_insecure_code > 0) {
    out += fmt::format("insecure code: {} records ({} undisclosed, {} disclosed as intended)\n",
                       s.records_with_insecure_code, s.records_with_undisclosed_insecure_code,
                       s.records_with_disclosed_insecure_code);
  }
  out += fmt::format("by detector: {}\n", count_list(s.findings_by_detector));
  out += fmt::format("by rule (all scanned records): {}\n", count_list(s.findings_by_rule));
}

void append_finding(std::string& out, const scan::Finding& f) {
  std::string head =
      fmt::format("    {:<8}  {}  {}", severity_name(f.severity),
                  visible_text(f.detector, kNameBytes), visible_text(f.rule, kNameBytes));
  if (f.cwe > 0) head += fmt::format("  CWE-{}", f.cwe);
  if (f.disclosed.has_value()) head += *f.disclosed ? "  disclosed" : "  undisclosed";
  if (!f.category.empty()) head += "  " + visible_text(f.category, kNameBytes);
  head += fmt::format("  turn {} [{}, {})  confidence {:.2f}", f.turn, f.span_begin, f.span_end,
                      f.confidence);
  out += head + "\n";
  if (!f.message.empty())
    out += fmt::format("              {}\n", visible_text(f.message, kMessageBytes));
  if (!f.excerpt.empty()) {
    out += fmt::format("              excerpt: \"{}\"\n", visible_text(f.excerpt, kExcerptBytes));
  }
}

void append_triggers(std::string& out, const std::vector<scan::TriggerCandidate>& triggers) {
  out += fmt::format("\ntrigger candidates ({}):\n", triggers.size());
  // The text goes last: it is the one column whose width cannot be known.
  out += fmt::format("  {:>3}  {:<9}  {:>13}  {:>16}  {:>10}  {:>9}  {:>9}  {:<16}  {}\n", "#",
                     "placement", "flagged/with", "flagged/without", "odds ratio", "p-value",
                     "q-value", "example lines", "text");
  size_t index = 0;
  for (const auto& t : triggers) {
    std::string examples;
    for (size_t i = 0; i < t.example_lines.size() && i < 4; ++i) {
      examples += (i ? "," : "") + std::to_string(t.example_lines[i]);
    }
    if (t.example_lines.size() > 4) examples += ",…";
    out += fmt::format(
        "  {:>3}  {:<9}  {:>13}  {:>16}  {:>10.3g}  {:>9.3g}  {:>9.3g}  {:<16}  \"{}\"\n", ++index,
        visible_text(t.placement, 16),
        fmt::format("{}/{}", t.flagged_with, t.flagged_with + t.clean_with),
        fmt::format("{}/{}", t.flagged_without, t.flagged_without + t.clean_without), t.odds_ratio,
        t.p_value, t.q_value, examples, visible_text(t.text, kTriggerBytes));
  }
}

void append_file(std::string& out, const scan::FileReport& file) {
  const ReportSummary s = summarize(file);
  out += fmt::format("\n== {} ==\n", visible_text(file.path, 1000));
  out += fmt::format(
      "format: {}, compression: {}\n",
      file.format.empty() ? "unknown" : visible_text(file.format, kNameBytes),
      file.compression.empty() ? "unknown" : visible_text(file.compression, kNameBytes));
  out += fmt::format("scanned {} records ({}) in {:.2f} s; {} flagged ({})\n", file.records_scanned,
                     human_bytes(file.bytes_scanned), file.seconds, file.records_flagged,
                     percent(file.records_flagged, file.records_scanned));
  append_counts(out, s);
  if (file.truncated) {
    out += fmt::format("TRUNCATED: {}\n", visible_text(file.truncated_reason, kMessageBytes));
  }
  if (file.error) out += fmt::format("ERROR: {}\n", status_line(*file.error));

  if (!file.records.empty()) {
    out += fmt::format("\nfindings by record ({} records):\n", file.records.size());
    for (const auto& record : file.records) {
      out += fmt::format("  line {} (offset {}):\n", record.line, record.offset);
      for (const auto& finding : record.findings) append_finding(out, finding);
    }
  }
  if (!file.trigger_candidates.empty()) append_triggers(out, file.trigger_candidates);
  if (!file.dataset_findings.empty()) {
    out += fmt::format("\ndataset findings ({}):\n", file.dataset_findings.size());
    for (const auto& d : file.dataset_findings) {
      out += fmt::format("  {:<8}  {}  {}  {}  observed {:.4g}, expected {:.4g}, p = {:.3g}\n",
                         severity_name(d.severity), visible_text(d.detector, kNameBytes),
                         visible_text(d.rule, kNameBytes),
                         d.significant ? "significant" : "not significant", d.observed, d.expected,
                         d.p_value);
      if (!d.message.empty())
        out += fmt::format("            {}\n", visible_text(d.message, kMessageBytes));
    }
  }
  if (!file.record_errors.empty()) {
    out += fmt::format("\nrecord errors ({}):\n", file.record_errors.size());
    for (const auto& error : file.record_errors) out += fmt::format("  {}\n", status_line(error));
  }
}

}  // namespace

std::string render_text(const std::vector<scan::FileReport>& files, const ReportMeta& meta) {
  std::string out = fmt::format("{} {} dataset report\n", visible_text(meta.tool_name, kNameBytes),
                                visible_text(meta.version, kNameBytes));
  if (!meta.command_line.empty())
    out += fmt::format("command: {}\n", visible_text(meta.command_line, 1000));
  if (meta.start_time) out += fmt::format("started: {}\n", format_utc_timestamp(*meta.start_time));
  for (const auto& file : files) append_file(out, file);
  if (files.size() != 1) {
    const ReportSummary total = summarize(files);
    out += fmt::format("\n== totals over {} files ==\n", total.files);
    out +=
        fmt::format("scanned {} records ({}) in {:.2f} s; {} flagged ({})\n", total.records_scanned,
                    human_bytes(total.bytes_scanned), total.seconds, total.records_flagged,
                    percent(total.records_flagged, total.records_scanned));
    out += fmt::format("files with errors: {}, truncated: {}\n", total.files_with_errors,
                       total.files_truncated);
    append_counts(out, total);
    out += fmt::format(
        "trigger candidates: {}, significant dataset findings: {}, record errors: {}\n",
        total.trigger_candidates, total.significant_dataset_findings, total.record_errors);
  }
  return out;
}

}  // namespace alignwatch::report
