#include "store/job_record.h"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "store/store_schema.h"

namespace alignwatch::store {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::array kAllStates = {JobState::kQueued, JobState::kRunning, JobState::kDone,
                                   JobState::kFailed, JobState::kRejected};

Status malformed(std::string_view where, std::string_view expected) {
  return Status(StatusCode::kCorruption,
                std::string(where) + ": expected a job record with " + std::string(expected));
}

// Times are stored as non-negative numbers; a negative one would break the padded index key.
uint64_t clamp_time(int64_t unix_ms) { return unix_ms < 0 ? 0 : static_cast<uint64_t>(unix_ms); }

}  // namespace

std::string_view job_state_name(JobState state) {
  switch (state) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kFailed: return "failed";
    case JobState::kRejected: return "rejected";
  }
  return "unknown";
}

std::optional<JobState> parse_job_state(std::string_view name) {
  for (JobState state : kAllStates) {
    if (job_state_name(state) == name) return state;
  }
  return std::nullopt;
}

std::string encode_job_record(const JobRecord& job) {
  // The payload was checked to be a JSON object when the job was created.
  Json payload = Json::parse(job.payload_json, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) payload = Json::object();
  Json json{{"id", job.id},
            {"artifact_sha256", job.artifact_sha256},
            {"state", job_state_name(job.state)},
            {"attempts", job.attempts},
            {"created_unix_ms", clamp_time(job.created_unix_ms)},
            {"updated_unix_ms", clamp_time(job.updated_unix_ms)},
            {"started_unix_ms", clamp_time(job.started_unix_ms)},
            {"finished_unix_ms", clamp_time(job.finished_unix_ms)},
            {"not_before_unix_ms", clamp_time(job.not_before_unix_ms)},
            {"error", job.error},
            {"report_key", job.report_key},
            {"report_seq", job.report_seq},
            {"payload", std::move(payload)}};
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<JobRecord> decode_job_record(std::string_view text, std::string_view where) {
  // nlohmann::json adapter boundary: parse without exceptions, read fields with checks only.
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return std::unexpected(malformed(where, "a JSON object, got " + safe_excerpt(text, 64)));
  }
  JobRecord job;
  auto read_unsigned = [&](const char* name, uint64_t& out) -> bool {
    auto it = json.find(name);
    if (it == json.end() || !it->is_number_unsigned()) return false;
    out = it->get<uint64_t>();
    return true;
  };
  auto read_string = [&](const char* name, std::string& out) -> bool {
    auto it = json.find(name);
    if (it == json.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  uint64_t attempts = 0;
  std::array<std::pair<const char*, int64_t*>, 5> times = {{
      {"created_unix_ms", &job.created_unix_ms},
      {"updated_unix_ms", &job.updated_unix_ms},
      {"started_unix_ms", &job.started_unix_ms},
      {"finished_unix_ms", &job.finished_unix_ms},
      {"not_before_unix_ms", &job.not_before_unix_ms},
  }};
  std::string state;
  if (!read_unsigned("id", job.id) || !read_unsigned("attempts", attempts) ||
      !read_unsigned("report_seq", job.report_seq)) {
    return std::unexpected(malformed(where, "unsigned \"id\", \"attempts\" and \"report_seq\""));
  }
  job.attempts = static_cast<uint32_t>(attempts);
  for (auto [name, field] : times) {
    uint64_t value = 0;
    if (!read_unsigned(name, value)) {
      return std::unexpected(malformed(where, std::string("an unsigned \"") + name + "\""));
    }
    *field = static_cast<int64_t>(value);
  }
  if (!read_string("artifact_sha256", job.artifact_sha256) || !read_string("state", state) ||
      !read_string("error", job.error) || !read_string("report_key", job.report_key)) {
    return std::unexpected(
        malformed(where, "strings \"artifact_sha256\", \"state\", \"error\", \"report_key\""));
  }
  auto parsed_state = parse_job_state(state);
  if (!parsed_state) {
    return std::unexpected(malformed(where, "a known \"state\", got " + safe_excerpt(state, 32)));
  }
  job.state = *parsed_state;
  auto payload = json.find("payload");
  if (payload == json.end() || !payload->is_object()) {
    return std::unexpected(malformed(where, "an object \"payload\""));
  }
  job.payload_json = payload->dump(-1, ' ', false, Json::error_handler_t::replace);
  return job;
}

std::string job_state_index_key(const JobRecord& job) {
  std::string key = job_state_index_prefix(job.state);
  if (job.state == JobState::kQueued) {
    key += padded_decimal(clamp_time(job.not_before_unix_ms));
    key += '/';
  }
  key += padded_decimal(job.id);
  return key;
}

std::string job_state_index_prefix(JobState state) {
  std::string prefix(job_state_name(state));
  prefix += '/';
  return prefix;
}

std::optional<JobIndexEntry> parse_job_state_index_key(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto state = parse_job_state(key.substr(0, slash));
  if (!state) return std::nullopt;
  JobIndexEntry entry;
  entry.state = *state;
  std::string_view rest = key.substr(slash + 1);
  if (*state == JobState::kQueued) {
    size_t second = rest.find('/');
    if (second == std::string_view::npos) return std::nullopt;
    auto not_before = parse_padded_decimal(rest.substr(0, second));
    if (!not_before) return std::nullopt;
    entry.not_before_unix_ms = static_cast<int64_t>(*not_before);
    rest = rest.substr(second + 1);
  }
  auto id = parse_padded_decimal(rest);
  if (!id) return std::nullopt;
  entry.job_id = *id;
  return entry;
}

}  // namespace alignwatch::store
