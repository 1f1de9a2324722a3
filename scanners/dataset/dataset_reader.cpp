#include "scanners/dataset/dataset_reader.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/text.h"

namespace alignwatch::dataset {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kSystem: return "system";
    case Role::kUser: return "user";
    case Role::kAssistant: return "assistant";
    case Role::kText: return "text";
  }
  return "unknown";
}

std::string_view format_name(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::kOpenAiChat: return "openai-chat";
    case DatasetFormat::kShareGpt: return "sharegpt";
    case DatasetFormat::kAlpaca: return "alpaca";
    case DatasetFormat::kPromptCompletion: return "prompt-completion";
    case DatasetFormat::kText: return "text";
  }
  return "unknown";
}

namespace {

namespace od = simdjson::ondemand;
constexpr size_t kReadChunk = 1 << 20;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Text assembled while decoding one record (joined content parts), which turns point into.
// A deque, not a vector: growing it must not move the strings, because a short string keeps
// its characters inside the std::string object and a move would leave earlier views dangling.
using Scratch = std::deque<std::string>;

std::string& next_scratch(Scratch& scratch, size_t& used) {
  if (used == scratch.size()) scratch.emplace_back();
  std::string& s = scratch[used++];
  s.clear();
  return s;
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "user" || name == "human" || name == "tool" || name == "function" ||
      name == "ipython" || name == "observation") {
    return Role::kUser;
  }
  if (name == "assistant" || name == "gpt" || name == "model" || name == "chatgpt" ||
      name == "bot") {
    return Role::kAssistant;
  }
  if (name == "system" || name == "developer") return Role::kSystem;
  return std::nullopt;
}

}  // namespace

// The simdjson parser and a scratch arena for text that has to be assembled (content parts).
struct DatasetReader::Parser {
  od::parser json;
  Scratch scratch;  // stable storage for joined content parts of one record
  size_t scratch_used = 0;
};

DatasetReader::DatasetReader(std::string path, std::unique_ptr<ByteSource> source,
                             const ReaderOptions& options)
    : path_(std::move(path)), source_(std::move(source)), options_(options),
      parser_(std::make_unique<Parser>()) {
  buffer_.resize(kReadChunk + simdjson::SIMDJSON_PADDING);
}

DatasetReader::~DatasetReader() = default;

Result<std::unique_ptr<DatasetReader>> DatasetReader::open(const std::string& path,
                                                           const ReaderOptions& options) {
  AW_ASSIGN_OR_RETURN(auto source, open_byte_source(path));
  return std::unique_ptr<DatasetReader>(new DatasetReader(path, std::move(source), options));
}

Compression DatasetReader::compression() const { return source_->compression(); }
uint64_t DatasetReader::file_bytes_read() const { return source_->file_bytes_read(); }

Status DatasetReader::fail(Status status) {
  failed_ = true;
  return status;
}

// Reads more bytes after end_, compacting and growing the buffer as needed.
Result<bool> DatasetReader::fill() {
  if (eof_) return false;
  const size_t capacity = buffer_.size() - simdjson::SIMDJSON_PADDING;
  if (begin_ > 0 && (end_ == capacity || begin_ > capacity / 2)) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size() - simdjson::SIMDJSON_PADDING) {
    // A line longer than the buffer: grow, bounded by the record limit (plus one chunk).
    buffer_.resize(buffer_.size() * 2);
  }
  const size_t room = buffer_.size() - simdjson::SIMDJSON_PADDING - end_;
  auto got = source_->read(buffer_.data() + end_, std::min(room, kReadChunk));
  if (!got) return std::unexpected(fail(got.error()));
  if (*got == 0) {
    eof_ = true;
    return false;
  }
  if (!checked_binary_) {
    // A text dataset never holds NUL bytes or invalid UTF-8 at its start: refuse binary files
    // up front rather than report every "line" of them.
    checked_binary_ = true;
    std::string_view head(buffer_.data() + end_, std::min<size_t>(*got, 64 * 1024));
    const void* nul = std::memchr(head.data(), 0, head.size());
    const size_t nul_at = nul ? static_cast<size_t>(static_cast<const char*>(nul) - head.data())
                              : std::string_view::npos;
    const size_t invalid_at = find_invalid_utf8(head, /*allow_truncated_tail=*/true);
    const size_t bad = std::min(nul_at, invalid_at);
    if (bad != std::string_view::npos) {
      // Point at the first bad byte: its line and column, as an editor would show them.
      const std::string_view before = head.substr(0, bad);
      const size_t last_newline = before.rfind('\n');
      const uint64_t line =
          line_number_ + 1 + static_cast<uint64_t>(std::count(before.begin(), before.end(), '\n'));
      const uint64_t column = last_newline == std::string_view::npos ? bad + 1 : bad - last_newline;
      return std::unexpected(fail(Status(
          StatusCode::kInvalidArgument,
          "binary data: expected UTF-8 JSON Lines, got " +
              std::string(bad == nul_at ? "a NUL byte" : "invalid UTF-8") + " at byte " +
              std::to_string(stream_offset_ + bad) + " (hint: is this a model file or an archive?)",
          Location{path_, line, column, stream_offset_ + bad, true})));
    }
  }
  end_ += *got;
  return true;
}

Result<bool> DatasetReader::next_line(std::string_view& line, uint64_t& line_offset) {
  size_t scan_from = begin_;
  // A line longer than the limit is read to its end without being kept: its head is dropped
  // from the buffer (which bounds memory) and only its start offset is remembered.
  bool oversized = false;
  uint64_t line_start = stream_offset_;
  auto too_large = [&] {
    return make_error(StatusCode::kResourceExhausted,
                      "record too large: expected at most " +
                          std::to_string(options_.max_record_bytes) + " bytes, got more",
                      Location{path_, line_number_, 0, line_start, true});
  };
  for (;;) {
    const char* base = buffer_.data();
    const void* nl = std::memchr(base + scan_from, '\n', end_ - scan_from);
    if (nl != nullptr || (eof_ && (end_ > begin_ || oversized))) {
      size_t line_end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - base) : end_;
      ++line_number_;
      line_offset = line_start;
      size_t next = nl ? line_end + 1 : line_end;
      stream_offset_ += next - begin_;
      line = std::string_view(base + begin_, line_end - begin_);
      begin_ = next;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (oversized || line.size() > options_.max_record_bytes) return too_large();
      // A byte order mark is not part of the first record (Windows tools write one).
      if (line_number_ == 1 && line.starts_with(kUtf8Bom)) line.remove_prefix(kUtf8Bom.size());
      return true;
    }
    if (eof_) return false;
    if (end_ - begin_ > options_.max_record_bytes) {
      oversized = true;
      stream_offset_ += end_ - begin_;
      begin_ = end_ = 0;
    }
    // fill() may move the data: keep scan_from relative to begin_.
    const size_t rel = end_ - begin_;
    auto more = fill();
    if (!more) {
      // A stream error (truncated or corrupt compression, I/O) is located at the line that was
      // being read; binary-data errors already carry their own line.
      Status error = std::move(more).error();
      if (error.location().line == 0) {
        error = Status(error.code(), error.message(),
                       Location{path_, line_number_ + 1, 0, line_start, true});
      }
      return std::unexpected(std::move(error));
    }
    scan_from = begin_ + rel;
  }
}

namespace {

// Record::serial: process-wide, since readers of different files may run on different threads.
uint64_t next_record_serial() {
  static std::atomic<uint64_t> last_serial{0};
  return last_serial.fetch_add(1, std::memory_order_relaxed) + 1;
}

}  // namespace

Result<bool> DatasetReader::next(Record& record) {
  if (failed_) return false;
  for (;;) {
    std::string_view line;
    uint64_t offset = 0;
    AW_ASSIGN_OR_RETURN(bool have, next_line(line, offset));
    if (!have) {
      if (!saw_content_) {
        return std::unexpected(fail(Status(StatusCode::kInvalidArgument,
                                           "empty dataset: expected JSON Lines records, got " +
                                               std::string(line_number_ == 0 ? "an empty file"
                                                                             : "only blank lines"),
                                           Location{path_})));
      }
      return false;
    }
    if (trim(line).empty()) continue;
    saw_content_ = true;
    record.line = line_number_;
    record.offset = offset;
    record.serial = next_record_serial();
    AW_RETURN_IF_ERROR(parse_line(line, record));
    return true;
  }
}

namespace {

// Errors while decoding one record carry a short description of what was wrong.
struct RecordError {
  std::string what;
};

std::string describe(simdjson::error_code error) { return simdjson::error_message(error); }

#define AW_JSON_TRY(expr, what)                               \
  do {                                                        \
    auto aw_json_err_ = (expr);                               \
    if (aw_json_err_) return RecordError{std::string(what) + ": " + describe(aw_json_err_)}; \
  } while (0)

// Reads a content value: a string, null, or a list of parts ({"type": "text", "text": ...}).
std::optional<RecordError> read_content(od::value value, std::string_view& out, Scratch& scratch,
                                        size_t& scratch_used) {
  od::json_type type;
  AW_JSON_TRY(value.type().get(type), "content");
  if (type == od::json_type::string) {
    AW_JSON_TRY(value.get_string().get(out), "content");
    return std::nullopt;
  }
  if (type == od::json_type::null) {
    out = {};
    return std::nullopt;
  }
  if (type != od::json_type::array) {
    return RecordError{"content: expected a string or a list of parts"};
  }
  std::string& joined = next_scratch(scratch, scratch_used);
  od::array parts;
  AW_JSON_TRY(value.get_array().get(parts), "content");
  for (auto part_result : parts) {
    od::value part;
    AW_JSON_TRY(std::move(part_result).get(part), "content part");
    od::json_type part_type;
    AW_JSON_TRY(part.type().get(part_type), "content part");
    if (part_type == od::json_type::string) {
      std::string_view s;
      AW_JSON_TRY(part.get_string().get(s), "content part");
      joined.append(s);
      continue;
    }
    if (part_type != od::json_type::object) continue;
    od::object obj;
    AW_JSON_TRY(part.get_object().get(obj), "content part");
    for (auto field : obj) {
      std::string_view key;
      AW_JSON_TRY(field.unescaped_key().get(key), "content part key");
      if (key == "text") {
        std::string_view s;
        AW_JSON_TRY(field.value().get_string().get(s), "content part text");
        if (!joined.empty()) joined.push_back('\n');
        joined.append(s);
      }
    }
  }
  out = joined;
  return std::nullopt;
}

// A list of {role_key: ..., text_key: ...} turns (OpenAI `messages`, ShareGPT `conversations`).
std::optional<RecordError> read_turns(od::value value, std::string_view role_key,
                                      std::string_view text_key, Record& record, Scratch& scratch,
                                      size_t& scratch_used) {
  od::array turns;
  AW_JSON_TRY(value.get_array().get(turns), "expected a list of turns");
  size_t index = 0;
  for (auto turn_result : turns) {
    od::object turn;
    AW_JSON_TRY(std::move(turn_result).get_object().get(turn),
                "turn " + std::to_string(index) + ": expected an object");
    std::optional<Role> role;
    std::string_view role_text;
    std::string_view content;
    bool have_content = false;
    for (auto field : turn) {
      std::string_view key;
      AW_JSON_TRY(field.unescaped_key().get(key), "turn key");
      if (key == role_key) {
        AW_JSON_TRY(field.value().get_string().get(role_text),
                    "turn " + std::to_string(index) + ": '" + std::string(role_key) + "'");
        role = parse_role(role_text);
      } else if (key == text_key) {
        od::value v = field.value();
        if (auto err = read_content(v, content, scratch, scratch_used)) {
          return RecordError{"turn " + std::to_string(index) + ": " + err->what};
        }
        have_content = true;
      }
    }
    if (!role) {
      if (role_text.empty()) {
        return RecordError{"turn " + std::to_string(index) + ": missing '" +
                           std::string(role_key) + "'"};
      }
      return RecordError{"turn " + std::to_string(index) + ": unknown role '" +
                         safe_excerpt(role_text, 32) + "'"};
    }
    if (!have_content) {
      return RecordError{"turn " + std::to_string(index) + ": missing '" +
                         std::string(text_key) + "'"};
    }
    record.turns.push_back(Turn{*role, content});
    ++index;
  }
  return std::nullopt;
}

std::string expected_keys(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::kOpenAiChat: return "'messages'";
    case DatasetFormat::kShareGpt: return "'conversations'";
    case DatasetFormat::kAlpaca: return "'instruction' and 'output'";
    case DatasetFormat::kPromptCompletion: return "'prompt' and 'completion'";
    case DatasetFormat::kText: return "'text'";
  }
  return "";
}

}  // namespace

Status DatasetReader::parse_line(std::string_view line, Record& record) {
  record.turns.clear();
  parser_->scratch_used = 0;
  const Location where{path_, record.line, 0, record.offset, true};
  auto bad = [&](const std::string& what) {
    return Status(StatusCode::kInvalidArgument, "malformed record: " + what, where);
  };
  if (std::memchr(line.data(), 0, line.size()) != nullptr) {
    return bad("binary data (a NUL byte) in a text line");
  }
  simdjson::padded_string_view padded(line.data(), line.size(),
                                      buffer_.size() - static_cast<size_t>(line.data() - buffer_.data()));
  od::document doc;
  if (auto err = parser_->json.iterate(padded).get(doc)) {
    return bad("invalid JSON: " + describe(err));
  }
  od::object obj;
  if (auto err = doc.get_object().get(obj)) {
    return bad("expected a JSON object, got " +
               std::string(err == simdjson::INCORRECT_TYPE ? "another JSON value" : describe(err)));
  }

  // Values by key; which keys are present decides the format on the first record.
  std::string_view instruction, input, output, prompt, completion, text, system;
  bool has_messages = false, has_conversations = false, has_instruction = false,
       has_output = false, has_prompt = false, has_completion = false, has_text = false;
  Record& r = record;
  std::optional<RecordError> error;
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return bad("invalid JSON: " + describe(err));
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return bad("invalid JSON key: " + describe(err));
    auto read_string = [&](std::string_view& out) -> bool {
      od::value v = field.value();
      if (auto e = read_content(v, out, parser_->scratch, parser_->scratch_used)) {
        error = RecordError{std::string(key) + ": " + e->what};
        return false;
      }
      return true;
    };
    bool ok = true;
    if (key == "messages" && !has_messages) {
      has_messages = true;
      od::value v = field.value();
      error = read_turns(v, "role", "content", r, parser_->scratch, parser_->scratch_used);
      ok = !error;
      if (error) error->what = "messages: " + error->what;
    } else if (key == "conversations" && !has_conversations) {
      has_conversations = true;
      od::value v = field.value();
      error = read_turns(v, "from", "value", r, parser_->scratch, parser_->scratch_used);
      ok = !error;
      if (error) error->what = "conversations: " + error->what;
    } else if (key == "instruction") {
      has_instruction = true;
      ok = read_string(instruction);
    } else if (key == "input") {
      ok = read_string(input);
    } else if (key == "output") {
      has_output = true;
      ok = read_string(output);
    } else if (key == "prompt") {
      has_prompt = true;
      ok = read_string(prompt);
    } else if (key == "completion") {
      has_completion = true;
      ok = read_string(completion);
    } else if (key == "text") {
      has_text = true;
      ok = read_string(text);
    } else if (key == "system") {
      ok = read_string(system);
    }
    if (!ok) return bad(error ? error->what : "unreadable value");
  }
  // current_location() fails only at the end of the document: anything else is trailing.
  if (!doc.current_location().error()) return bad("trailing characters after the JSON object");

  std::optional<DatasetFormat> seen;
  if (has_messages) {
    seen = DatasetFormat::kOpenAiChat;
  } else if (has_conversations) {
    seen = DatasetFormat::kShareGpt;
  } else if (has_instruction && has_output) {
    seen = DatasetFormat::kAlpaca;
  } else if (has_prompt && has_completion) {
    seen = DatasetFormat::kPromptCompletion;
  } else if (has_text) {
    seen = DatasetFormat::kText;
  }
  if (!format_) {
    if (!seen) {
      return Status(StatusCode::kUnsupported,
                    "unknown dataset format: expected one of 'messages' (OpenAI chat), "
                    "'conversations' (ShareGPT), 'instruction'+'output' (Alpaca), "
                    "'prompt'+'completion', or 'text', got none of them",
                    where);
    }
    format_ = seen;
  } else if (seen != format_) {
    return bad("expected " + expected_keys(*format_) + " (" + std::string(format_name(*format_)) +
               " format, detected from the first record), got " +
               (seen ? std::string(format_name(*seen)) + " keys" : std::string("neither")));
  }

  switch (*format_) {
    case DatasetFormat::kOpenAiChat:
    case DatasetFormat::kShareGpt:
      if (!system.empty()) r.turns.insert(r.turns.begin(), Turn{Role::kSystem, system});
      break;
    case DatasetFormat::kAlpaca:
      if (!system.empty()) r.turns.push_back(Turn{Role::kSystem, system});
      r.turns.push_back(Turn{Role::kUser, instruction});
      if (!input.empty()) r.turns.push_back(Turn{Role::kUser, input});
      r.turns.push_back(Turn{Role::kAssistant, output});
      break;
    case DatasetFormat::kPromptCompletion:
      if (!system.empty()) r.turns.push_back(Turn{Role::kSystem, system});
      r.turns.push_back(Turn{Role::kUser, prompt});
      r.turns.push_back(Turn{Role::kAssistant, completion});
      break;
    case DatasetFormat::kText:
      r.turns.push_back(Turn{Role::kText, text});
      break;
  }
  return Status::ok();
}

}  // namespace alignwatch::dataset
