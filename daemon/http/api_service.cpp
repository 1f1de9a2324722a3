#include "daemon/http/api_service.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/options.h"
#include "core/logging.h"
#include "core/text.h"
#include "daemon/alert_acknowledgement.h"
#include "daemon/api_token.h"
#include "daemon/daemon_metrics.h"
#include "daemon/evidence_queries.h"
#include "daemon/http/multipart_parser.h"
#include "daemon/intake.h"
#include "daemon/staged_upload.h"
#include "report/json_report_reader.h"
#include "report/sarif_report.h"
#include "store/evidence_store.h"

namespace alignwatch::daemon::http {

namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxPageLimit = 1000;
constexpr size_t kMaxFieldBytes = 65536;

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string dump(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

ApiResponse json_response(unsigned status, const Json& body) {
  ApiResponse response;
  response.status = status;
  response.body = dump(body);
  response.body += '\n';
  return response;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return make_error(StatusCode::kInvalidArgument, "a truncated %-escape");
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return make_error(StatusCode::kInvalidArgument, "a malformed %-escape");
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

struct Target {
  std::vector<std::string> segments;  // decoded path segments
  std::map<std::string, std::string> query;
};

Result<Target> parse_target(std::string_view target) {
  Target out;
  const size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (path.empty() || path.front() != '/') {
    return make_error(StatusCode::kInvalidArgument, "request target: expected an absolute path");
  }
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) {
      AW_ASSIGN_OR_RETURN(std::string segment, percent_decode(path.substr(start, end - start), false));
      out.segments.push_back(std::move(segment));
    }
    start = end + 1;
  }
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      AW_ASSIGN_OR_RETURN(std::string key, percent_decode(pair.substr(0, eq), true));
      std::string value;
      if (eq != std::string_view::npos) {
        AW_ASSIGN_OR_RETURN(value, percent_decode(pair.substr(eq + 1), true));
      }
      out.query[std::move(key)] = std::move(value);
    }
  }
  return out;
}

std::string query_or(const Target& target, const std::string& key, std::string fallback) {
  auto it = target.query.find(key);
  return it == target.query.end() ? fallback : it->second;
}

Result<uint64_t> parse_uint(std::string_view text, std::string_view what) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return make_error(StatusCode::kInvalidArgument,
                      fmt::format("{}: expected a non-negative integer, got '{}'", what, safe_excerpt(text, 40)));
  }
  return value;
}

Result<size_t> page_limit(const Target& target) {
  auto it = target.query.find("limit");
  if (it == target.query.end()) return size_t{100};
  AW_ASSIGN_OR_RETURN(uint64_t limit, parse_uint(it->second, "query parameter 'limit'"));
  if (limit == 0 || limit > kMaxPageLimit) {
    return make_error(StatusCode::kInvalidArgument,
                      fmt::format("query parameter 'limit': expected 1 to {}, got {}", kMaxPageLimit, limit));
  }
  return static_cast<size_t>(limit);
}

// `since`: unix milliseconds, or an RFC 3339 UTC time ("2026-12-01T10:00:00Z").
Result<int64_t> parse_since(std::string_view text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    AW_ASSIGN_OR_RETURN(uint64_t value, parse_uint(text, "query parameter 'since'"));
    return static_cast<int64_t>(value);
  }
  std::tm tm{};
  const std::string copy(text);
  const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || (std::string_view(end) != "Z" && std::string_view(end) != "+00:00")) {
    return make_error(StatusCode::kInvalidArgument,
                      "query parameter 'since': expected unix milliseconds or a UTC time like "
                      "2026-12-01T10:00:00Z, got '" + safe_excerpt(text, 40) + "'");
  }
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

bool role_allows(std::string_view role, std::initializer_list<std::string_view> roles) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string random_request_id() {
  std::random_device random;
  return fmt::format("api-{:08x}{:08x}", random(), random());
}

// Whether the pipeline token `name` submitted the artifact of `job`.
bool submitted_by(const store::EvidenceStore& store, const std::string& name, const store::JobRecord& job) {
  auto page = store.list(store::EvidenceKind::kSubmission, submission_key_prefix(name) + job.artifact_sha256 + "/",
                         "", 1);
  return page && !page->records.empty();
}

// The upload of one dataset or adapter: a raw body (one file) or multipart/form-data (file
// parts, a "manifest" JSON part and manifest fields as parts).
class IntakeUpload final : public UploadSession {
 public:
  IntakeUpload(ApiBackend& backend, ArtifactKind kind, Principal principal,
               std::unique_ptr<StagedUpload> staged, std::map<std::string, std::string> fields,
               std::optional<std::string> boundary, std::string raw_name)
      : backend_(backend), kind_(kind), principal_(std::move(principal)), staged_(std::move(staged)),
        fields_(std::move(fields)) {
    if (boundary) {
      MultipartCallbacks callbacks;
      callbacks.on_part_begin = [this](const MultipartPartHeader& part) { return begin_part(part); };
      callbacks.on_part_data = [this](std::string_view data) { return part_data(data); };
      callbacks.on_part_end = [this]() { return end_part(); };
      parser_ = std::make_unique<MultipartParser>(*boundary, std::move(callbacks));
    } else {
      raw_name_ = std::move(raw_name);
    }
  }

  Status start() {
    if (parser_) return Status::ok();
    return staged_->begin_file(raw_name_);
  }

  Status feed(std::string_view bytes) override {
    if (parser_) return parser_->feed(bytes);
    return staged_->write(bytes);
  }

  ApiResponse finish() override {
    if (parser_) {
      if (Status done = parser_->finish(); !done.is_ok()) return error_response(done, "body");
    } else if (Status ended = staged_->end_file(); !ended.is_ok()) {
      return error_response(ended, "body");
    }
    Json manifest = Json::object();
    if (!manifest_text_.empty()) {
      manifest = Json::parse(manifest_text_, nullptr, false);
      if (manifest.is_discarded() || !manifest.is_object()) {
        return error_response(400, "invalid_argument", "part 'manifest': expected a JSON object", "body");
      }
    }
    for (const auto& [key, value] : fields_) manifest[key] = value;
    std::string manifest_json;
    if (!manifest.empty()) {
      auto valid = validate_manifest(dump(manifest), "manifest");
      if (!valid) return error_response(valid.error(), "manifest");
      manifest_json = std::move(*valid);
    }
    const uint64_t bytes = staged_->bytes();
    auto staged = staged_->finish(std::move(manifest_json));
    if (!staged) return error_response(staged.error(), "body");
    IntakeResult result = backend_.intake->accept_staged(kind_, *staged, Submitter{principal_.token_name});
    if (result.outcome != IntakeResult::Outcome::kQueued && result.outcome != IntakeResult::Outcome::kDuplicate) {
      return error_response(503, "unavailable", "the submission could not be recorded: " + result.reason);
    }
    if (backend_.metrics) backend_.metrics->bytes_ingested("api", bytes);
    const bool duplicate = result.outcome == IntakeResult::Outcome::kDuplicate;
    if (!duplicate && backend_.on_queued) backend_.on_queued();
    std::string state = "queued";
    if (auto job = backend_.store->job(result.job_id); job && *job) state = store::job_state_name((*job)->state);
    return json_response(202, Json{{"scan_id", result.job_id},
                                   {"artifact_sha256", result.artifact_sha256},
                                   {"kind", artifact_kind_name(kind_)},
                                   {"duplicate", duplicate},
                                   {"state", state},
                                   {"bytes", bytes},
                                   {"scan_url", fmt::format("/v1/scans/{}", result.job_id)}});
  }

 private:
  Status begin_part(const MultipartPartHeader& part) {
    if (part.has_filename) {
      in_file_ = true;
      return staged_->begin_file(part.filename);
    }
    static constexpr std::string_view kFields[] = {"manifest", "pipeline_id", "submitter", "base_model",
                                                   "dataset_sha256"};
    if (std::find(std::begin(kFields), std::end(kFields), part.name) == std::end(kFields)) {
      return Status(StatusCode::kInvalidArgument,
                    "multipart field '" + safe_excerpt(part.name, 40) +
                        "': expected a file part or one of manifest, pipeline_id, submitter, base_model, "
                        "dataset_sha256");
    }
    in_file_ = false;
    field_name_ = part.name;
    field_value_.clear();
    return Status::ok();
  }
  Status part_data(std::string_view data) {
    if (in_file_) return staged_->write(data);
    if (field_value_.size() + data.size() > kMaxFieldBytes) {
      return Status(StatusCode::kInvalidArgument, "multipart field '" + field_name_ + "': longer than 64 KiB");
    }
    field_value_.append(data);
    return Status::ok();
  }
  Status end_part() {
    if (in_file_) {
      in_file_ = false;
      return staged_->end_file();
    }
    if (field_name_ == "manifest") {
      manifest_text_ = std::move(field_value_);
    } else {
      fields_[field_name_] = std::move(field_value_);
    }
    return Status::ok();
  }

  ApiBackend& backend_;
  ArtifactKind kind_;
  Principal principal_;
  std::unique_ptr<StagedUpload> staged_;
  std::map<std::string, std::string> fields_;
  std::unique_ptr<MultipartParser> parser_;
  std::string raw_name_;
  bool in_file_ = false;
  std::string field_name_;
  std::string field_value_;
  std::string manifest_text_;
};

std::string_view code_word(unsigned status) {
  switch (status) {
    case 400: return "invalid_argument";
    case 401: return "unauthenticated";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 408: return "request_timeout";
    case 409: return "conflict";
    case 411: return "length_required";
    case 413: return "payload_too_large";
    case 429: return "rate_limited";
    case 431: return "headers_too_large";
    case 503: return "unavailable";
    default: return "internal";
  }
}

}  // namespace

ApiResponse error_response(unsigned status, std::string_view code, std::string_view message,
                           std::string_view location) {
  return json_response(status, Json{{"code", code},
                                    {"message", message},
                                    {"location", location.empty() ? Json(nullptr) : Json(location)}});
}

ApiResponse error_response(const Status& status, std::string_view location) {
  unsigned http = 500;
  switch (status.code()) {
    case StatusCode::kInvalidArgument: http = 400; break;
    case StatusCode::kNotFound: http = 404; break;
    case StatusCode::kResourceExhausted: http = 413; break;
    case StatusCode::kUnavailable: http = 503; break;
    case StatusCode::kDeadlineExceeded: http = 408; break;
    default: http = 500; break;
  }
  std::string where(location);
  if (!status.location().empty()) where = status.location().to_string();
  return error_response(http, code_word(http), status.message(), where);
}

ApiService::ApiService(ApiBackend backend, const config::ApiConfig& config, uint64_t job_max_bytes)
    : backend_(std::move(backend)),
      config_(config),
      max_upload_bytes_(std::min(config.max_upload_bytes, job_max_bytes)),
      limiter_(config.rate_limit_per_s, config.rate_limit_burst) {}

Result<Principal> ApiService::authenticate(const RequestHead& head) const {
  std::string_view header = head.authorization;
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || !std::equal(kBearer.begin(), kBearer.end(), header.begin(),
                                                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return make_error(StatusCode::kInvalidArgument, "expected an Authorization: Bearer <token> header");
  }
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  AW_ASSIGN_OR_RETURN(std::string sha, api_token_sha256(token));
  AW_ASSIGN_OR_RETURN(auto found, backend_.store->find_api_token(sha));
  if (!found || found->revoked()) {
    return make_error(StatusCode::kInvalidArgument, "the token is unknown or revoked");
  }
  return Principal{found->name, found->role};
}

ApiService::Prepared ApiService::prepare(const RequestHead& head) {
  Prepared prepared;
  auto target = parse_target(head.target);
  if (!target) {
    prepared.response = error_response(target.error(), "request target");
    return prepared;
  }
  const auto& segments = target->segments;
  if (head.method == "GET" && segments.size() == 1 && segments[0] == "healthz") {
    prepared.response = json_response(200, Json{{"status", "ok"}});
    return prepared;
  }
  auto principal = authenticate(head);
  if (!principal) {
    ApiResponse denied = error_response(401, "unauthenticated", principal.error().message(), "Authorization");
    denied.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"alignwatch\"");
    prepared.response = std::move(denied);
    return prepared;
  }
  prepared.principal = *principal;
  RateLimiter::Decision decision = limiter_.admit(principal->token_name);
  if (!decision.allowed) {
    ApiResponse limited = error_response(429, "rate_limited",
                                         fmt::format("more than {} requests per second for token '{}'",
                                                     config_.rate_limit_per_s, principal->token_name));
    limited.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_s));
    prepared.response = std::move(limited);
    return prepared;
  }
  const bool is_upload = head.method == "POST" && segments.size() == 2 && segments[0] == "v1" &&
                         (segments[1] == "datasets" || segments[1] == "adapters");
  if (!is_upload) {
    if (head.content_length && *head.content_length > config_.max_json_body_bytes) {
      prepared.response = error_response(413, "payload_too_large",
                                         fmt::format("request body of {} bytes; at most {} allowed",
                                                     *head.content_length, config_.max_json_body_bytes), "body");
      return prepared;
    }
    prepared.body_limit = config_.max_json_body_bytes;
    return prepared;
  }
  if (!role_allows(principal->role, {"pipeline", "admin"})) {
    prepared.response = error_response(403, "forbidden",
                                       "role '" + principal->role + "' may not submit; pipeline or admin may");
    return prepared;
  }
  if (head.content_length && *head.content_length > max_upload_bytes_) {
    prepared.response = error_response(413, "payload_too_large",
                                       fmt::format("upload of {} bytes; at most {} allowed", *head.content_length,
                                                   max_upload_bytes_), "body");
    return prepared;
  }
  const ArtifactKind kind = segments[1] == "datasets" ? ArtifactKind::kDataset : ArtifactKind::kAdapter;
  std::map<std::string, std::string> fields;
  for (const char* key : {"pipeline_id", "submitter", "base_model", "dataset_sha256"}) {
    if (auto it = target->query.find(key); it != target->query.end()) fields[key] = it->second;
  }
  std::optional<std::string> boundary;
  std::string raw_name = query_or(*target, "name", kind == ArtifactKind::kDataset ? "dataset.jsonl" : "adapter.tar");
  if (head.content_type.starts_with("multipart/")) {
    auto parsed = multipart_boundary(head.content_type);
    if (!parsed) {
      prepared.response = error_response(parsed.error(), "Content-Type");
      return prepared;
    }
    boundary = *parsed;
  } else if (kind == ArtifactKind::kAdapter && !raw_name.ends_with(".tar")) {
    prepared.response = error_response(400, "invalid_argument",
                                       "an adapter is a tar archive of its directory (name ending in .tar) "
                                       "or multipart/form-data with one part per file",
                                       "query parameter 'name'");
    return prepared;
  }
  auto staged = StagedUpload::create(backend_.intake->layout().incoming, kind, max_upload_bytes_);
  if (!staged) {
    prepared.response = error_response(staged.error());
    return prepared;
  }
  auto upload = std::make_unique<IntakeUpload>(backend_, kind, *principal, std::move(*staged), std::move(fields),
                                               boundary, raw_name);
  if (Status started = upload->start(); !started.is_ok()) {
    prepared.response = error_response(started, "query parameter 'name'");
    return prepared;
  }
  prepared.upload = std::move(upload);
  return prepared;
}

ApiResponse ApiService::handle(const RequestHead& head, const Principal& principal, std::string_view body) {
  auto target = parse_target(head.target);
  if (!target) return error_response(target.error(), "request target");
  const auto& s = target->segments;
  const std::string& role = principal.role;
  const bool reviewer = role_allows(role, {"reviewer", "admin"});
  auto forbidden = [&](std::string_view who) {
    return error_response(403, "forbidden", "role '" + role + "' may not do this; " + std::string(who) + " may");
  };
  auto method_is = [&](std::string_view method) { return head.method == method; };
  store::EvidenceStore& store = *backend_.store;

  if (s.size() == 1 && s[0] == "metrics" && method_is("GET")) {
    if (!reviewer) return forbidden("reviewer or admin");
    ApiResponse response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = backend_.metrics->render(store, backend_.webhook_dropped ? backend_.webhook_dropped() : 0);
    return response;
  }
  if (s.empty() || s[0] != "v1") return error_response(404, "not_found", "no such endpoint", head.target);

  // Scans.
  if (s.size() >= 2 && s[1] == "scans") {
    if (s.size() == 2 && method_is("GET")) {
      ScanQuery query;
      query.state = query_or(*target, "state", "all");
      if (auto after = target->query.find("after"); after != target->query.end() && !after->second.empty()) {
        auto id = parse_uint(after->second, "query parameter 'after'");
        if (!id) return error_response(id.error(), "query parameter 'after'");
        query.after_id = *id;
      }
      auto limit = page_limit(*target);
      if (!limit) return error_response(limit.error(), "query parameter 'limit'");
      query.limit = *limit;
      if (!reviewer) {
        const std::string name = principal.token_name;
        query.filter = [&store, name](const store::JobRecord& job) { return submitted_by(store, name, job); };
      }
      auto page = query_scans(store, query);
      if (!page) return error_response(page.error(), "query parameter 'state'");
      return json_response(200, Json{{"items", page->items},
                                     {"next_after", page->next_after.empty() ? Json(nullptr) : Json(page->next_after)}});
    }
    if (s.size() < 3) return error_response(405, "method_not_allowed", "GET only", head.target);
    auto id = parse_uint(s[2], "scan id");
    if (!id) return error_response(id.error(), "path");
    auto job = store.job(*id);
    if (!job) return error_response(job.error());
    if (!*job || (!reviewer && !submitted_by(store, principal.token_name, **job))) {
      return error_response(404, "not_found", fmt::format("no scan {}", *id), head.target);
    }
    if (!method_is("GET")) return error_response(405, "method_not_allowed", "GET only", head.target);
    if (s.size() == 3) {
      const bool with_report = query_or(*target, "report", "true") != "false";
      auto detail = scan_detail(store, *id, with_report);
      if (!detail) return error_response(detail.error());
      Json out = std::move(**detail);
      const std::string state = out.value("state", "");
      out["progress"] = state == "queued" ? 0.0 : state == "running" ? 0.5 : 1.0;
      return json_response(200, out);
    }
    if (s.size() == 4 && s[3] == "report") {
      const std::string format = query_or(*target, "format", "json");
      if (format != "json" && format != "sarif") {
        return error_response(400, "invalid_argument", "format: expected json or sarif, got '" +
                                                          safe_excerpt(format, 20) + "'", "query parameter 'format'");
      }
      auto detail = scan_detail(store, *id, true);
      if (!detail) return error_response(detail.error());
      if (!(*detail)->contains("report")) {
        return error_response(404, "not_found", fmt::format("scan {} has no report yet (state {})", *id,
                                                            (*detail)->value("state", "")), head.target);
      }
      const Json& report = (**detail)["report"];
      if (format == "json") return json_response(200, report);
      if (!report.contains("files")) {
        return error_response(400, "invalid_argument", "SARIF is for dataset reports; this is an adapter scan (use format=json)",
                              "query parameter 'format'");
      }
      auto files = report::read_json_report(dump(report));
      if (!files) return error_response(files.error());
      report::ReportMeta meta;
      meta.command_line = fmt::format("alignwatchd scan {}", *id);
      ApiResponse response;
      response.content_type = "application/sarif+json";
      response.body = report::render_sarif(*files, meta);
      return response;
    }
    return error_response(404, "not_found", "no such endpoint", head.target);
  }

  // Alerts.
  if (s.size() >= 2 && s[1] == "alerts") {
    if (!reviewer) return forbidden("reviewer or admin");
    if (s.size() == 2 && method_is("GET")) {
      AlertQuery query;
      query.status = query_or(*target, "status", "open");
      query.min_priority = query_or(*target, "priority", "debug");
      query.after = query_or(*target, "after", "");
      if (auto since = target->query.find("since"); since != target->query.end()) {
        auto value = parse_since(since->second);
        if (!value) return error_response(value.error(), "query parameter 'since'");
        query.since_unix_ms = *value;
      }
      auto limit = page_limit(*target);
      if (!limit) return error_response(limit.error(), "query parameter 'limit'");
      query.limit = *limit;
      auto page = query_alerts(store, query);
      if (!page) return error_response(page.error(), "query parameters");
      return json_response(200, Json{{"items", page->items},
                                     {"next_after", page->next_after.empty() ? Json(nullptr) : Json(page->next_after)}});
    }
    if (s.size() == 3 && method_is("GET")) {
      auto detail = alert_detail(store, s[2]);
      if (!detail) return error_response(detail.error());
      if (!*detail) return error_response(404, "not_found", "no alert '" + safe_excerpt(s[2], 40) + "'", head.target);
      return json_response(200, **detail);
    }
    if (s.size() == 4 && s[3] == "ack" && method_is("POST")) {
      Json request = Json::parse(body, nullptr, false);
      if (request.is_discarded() || !request.is_object()) {
        return error_response(400, "invalid_argument", "expected a JSON object {\"reason\": \"...\"}", "body");
      }
      auto reason = request.find("reason");
      if (reason == request.end() || !reason->is_string() || reason->get<std::string>().empty()) {
        return error_response(400, "invalid_argument", "field 'reason': expected a non-empty string", "body.reason");
      }
      auto acked = acknowledge_alert(store, s[2], principal.token_name, reason->get<std::string>(),
                                     random_request_id(), now_unix_ms());
      if (!acked) return error_response(acked.error(), head.target);
      return json_response(200, Json{{"alert_id", s[2]}, {"acknowledged", true}, {"by", principal.token_name},
                                     {"seq", acked->seq}, {"key", acked->key}});
    }
    return error_response(404, "not_found", "no such endpoint", head.target);
  }

  // Evidence by chain position.
  if (s.size() == 3 && s[1] == "evidence" && method_is("GET")) {
    if (!reviewer) return forbidden("reviewer or admin");
    auto seq = parse_uint(s[2], "evidence seq");
    if (!seq) return error_response(seq.error(), "path");
    auto link = store.link_at(*seq);
    if (!link) return error_response(link.error());
    if (!*link) return error_response(404, "not_found", fmt::format("no evidence at seq {}", *seq), head.target);
    auto kind = store::parse_evidence_kind((*link)->kind);
    if (!kind) return error_response(500, "internal", "the chain link names an unknown kind", head.target);
    auto record = store.get(*kind, (*link)->key);
    if (!record) return error_response(record.error());
    Json out{{"seq", *seq}, {"kind", (*link)->kind}, {"key", (*link)->key}, {"record", nullptr},
             {"chain_link", chain_link_json(*link)}};
    if (*record) out["record"] = Json::parse((*record)->value_json, nullptr, false);
    return json_response(200, out);
  }

  // Tokens and config: admin.
  if (s.size() >= 2 && (s[1] == "tokens" || s[1] == "config")) {
    if (role != "admin") return forbidden("admin");
    if (s[1] == "config" && s.size() == 2 && method_is("GET")) {
      const config::Config current = backend_.config ? backend_.config() : config::Config{};
      Json options = Json::object();
      for (const auto& spec : config::option_specs()) {
        options[std::string(spec.path)] = config::option_value_text(spec, current);
      }
      return json_response(200, Json{{"options", options}});
    }
    if (s.size() == 2 && method_is("GET")) {
      auto tokens = store.list_api_tokens();
      if (!tokens) return error_response(tokens.error());
      Json items = Json::array();
      for (const auto& token : *tokens) {
        items.push_back(Json{{"name", token.name}, {"role", token.role}, {"created_unix_ms", token.created_unix_ms},
                             {"revoked", token.revoked()}});
      }
      return json_response(200, Json{{"items", items}});
    }
    if (s.size() == 2 && method_is("POST")) {
      Json request = Json::parse(body, nullptr, false);
      if (request.is_discarded() || !request.is_object()) {
        return error_response(400, "invalid_argument", "expected a JSON object {\"name\": ..., \"role\": ...}", "body");
      }
      const std::string name = request.value("name", "");
      const std::string new_role = request.value("role", "");
      if (!is_api_token_name(name)) {
        return error_response(400, "invalid_argument", "field 'name': 1-64 letters, digits, '-', '_' or '.'", "body.name");
      }
      if (!is_api_role(new_role)) {
        return error_response(400, "invalid_argument", "field 'role': expected pipeline, reviewer or admin", "body.role");
      }
      auto token = generate_api_token();
      if (!token) return error_response(token.error());
      auto sha = api_token_sha256(*token);
      if (!sha) return error_response(sha.error());
      auto added = store.add_api_token(store::ApiToken{*sha, name, new_role, now_unix_ms(), 0});
      if (!added) return error_response(added.error(), "body.name");
      return json_response(201, Json{{"name", name}, {"role", new_role}, {"token", *token}});
    }
    if (s.size() == 3 && method_is("DELETE")) {
      auto revoked = store.revoke_api_token(s[2], now_unix_ms());
      if (!revoked) return error_response(revoked.error(), head.target);
      return json_response(200, Json{{"name", s[2]}, {"revoked", true}});
    }
    return error_response(405, "method_not_allowed", "not a method of this endpoint", head.target);
  }
  return error_response(404, "not_found", "no such endpoint", head.target);
}

}  // namespace alignwatch::daemon::http
