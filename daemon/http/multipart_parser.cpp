#include "daemon/http/multipart_parser.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/text.h"

namespace alignwatch::daemon::http {

namespace {

constexpr size_t kMaxHeaderBlock = 8192;
constexpr size_t kMaxPreamble = 65536;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits `value` at ';' outside quotes into "key=value" parameters, unquoting values. The first
// item (the type or disposition) is returned under the key "".
Result<std::vector<std::pair<std::string, std::string>>> parameters(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  bool first = true;
  while (i <= value.size()) {
    size_t start = i;
    while (i < value.size() && value[i] != ';' && value[i] != '=') ++i;
    std::string key = lower(trim(value.substr(start, i - start)));
    std::string item;
    if (i < value.size() && value[i] == '=') {
      ++i;
      while (i < value.size() && value[i] == ' ') ++i;
      if (i < value.size() && value[i] == '"') {
        ++i;
        bool closed = false;
        while (i < value.size()) {
          char c = value[i++];
          if (c == '\\' && i < value.size()) {
            item += value[i++];
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            item += c;
          }
        }
        if (!closed) return make_error(StatusCode::kInvalidArgument, "unterminated quoted parameter '" + key + "'");
      } else {
        size_t vstart = i;
        while (i < value.size() && value[i] != ';') ++i;
        item = std::string(trim(value.substr(vstart, i - vstart)));
      }
      while (i < value.size() && value[i] != ';') ++i;
      out.emplace_back(std::move(key), std::move(item));
    } else if (first) {
      out.emplace_back("", std::move(key));
    } else if (!key.empty()) {
      out.emplace_back(std::move(key), "");
    }
    first = false;
    ++i;  // past ';'
  }
  return out;
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  AW_ASSIGN_OR_RETURN(auto params, parameters(content_type));
  if (params.empty() || params.front().first != "" || params.front().second != "multipart/form-data") {
    return make_error(StatusCode::kInvalidArgument,
                      "Content-Type: expected multipart/form-data, got '" + safe_excerpt(content_type, 80) + "'");
  }
  for (const auto& [key, value] : params) {
    if (key != "boundary") continue;
    if (value.empty() || value.size() > 70) {
      return make_error(StatusCode::kInvalidArgument,
                        "Content-Type: expected a boundary of 1 to 70 bytes, got " + std::to_string(value.size()));
    }
    return value;
  }
  return make_error(StatusCode::kInvalidArgument, "Content-Type: multipart/form-data without a boundary");
}

MultipartParser::MultipartParser(std::string boundary, MultipartCallbacks callbacks)
    : dash_boundary_("--" + boundary), delimiter_("\r\n--" + boundary), callbacks_(std::move(callbacks)) {}

Status MultipartParser::error(std::string what) const {
  return Status(StatusCode::kInvalidArgument, fmt::format("multipart body: offset {}: {}", offset_, what));
}

Status MultipartParser::feed(std::string_view bytes) {
  if (state_ == State::kDone) {
    offset_ += bytes.size();  // the epilogue is ignored
    return Status::ok();
  }
  pending_.append(bytes);
  return process();
}

Status MultipartParser::finish() {
  if (state_ != State::kDone) {
    return error(in_part_ ? "truncated inside a part (no closing boundary)" : "truncated: no closing boundary");
  }
  return Status::ok();
}

Status MultipartParser::begin_part(std::string_view block) {
  MultipartPartHeader part;
  bool disposition = false;
  size_t line_start = 0;
  while (line_start < block.size()) {
    size_t end = block.find("\r\n", line_start);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(line_start, end - line_start);
    line_start = end + 2;
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return error("a part header line without ':'");
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      auto params = parameters(value);
      if (!params) return error("Content-Disposition: " + params.error().message());
      if (params->empty() || params->front().second != "form-data") {
        return error("Content-Disposition: expected form-data");
      }
      for (const auto& [key, item] : *params) {
        if (key == "name") part.name = item;
        if (key == "filename") {
          part.filename = item;
          part.has_filename = true;
        }
        if (key == "filename*") return error("Content-Disposition: filename* is not supported; send filename");
      }
      disposition = true;
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
  }
  if (!disposition) return error("a part without Content-Disposition");
  if (part.name.empty()) return error("a part without a name");
  in_part_ = true;
  return callbacks_.on_part_begin ? callbacks_.on_part_begin(part) : Status::ok();
}

Status MultipartParser::process() {
  size_t used = 0;
  auto consume = [&](size_t n) {
    used += n;
    offset_ += n;
  };
  Status status;
  while (status.is_ok()) {
    std::string_view rest(pending_.data() + used, pending_.size() - used);
    if (state_ == State::kPreamble) {
      size_t at = rest.find(dash_boundary_);
      // The first boundary may open the body or follow a preamble line.
      if (at == std::string_view::npos) {
        if (offset_ + rest.size() > kMaxPreamble) status = error("no boundary in the first 64 KiB");
        else if (rest.size() >= dash_boundary_.size()) consume(rest.size() - dash_boundary_.size() + 1);
        break;
      }
      consume(at + dash_boundary_.size());
      state_ = State::kAfterBoundary;
    } else if (state_ == State::kAfterBoundary) {
      // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
      size_t pad = 0;
      while (pad < rest.size() && (rest[pad] == ' ' || rest[pad] == '\t')) ++pad;
      if (rest.size() < pad + 2) break;
      if (rest.substr(pad, 2) == "--") {
        consume(pad + 2);
        state_ = State::kDone;
        offset_ += pending_.size() - used;
        used = pending_.size();
        break;
      }
      if (rest.substr(pad, 2) != "\r\n") {
        status = error("expected CRLF or '--' after a boundary");
        break;
      }
      consume(pad + 2);
      state_ = State::kHeaders;
    } else if (state_ == State::kHeaders) {
      if (rest.substr(0, 2) == "\r\n") {
        status = begin_part({});
        consume(2);
        state_ = State::kData;
        continue;
      }
      size_t end = rest.find("\r\n\r\n");
      if (end == std::string_view::npos) {
        if (rest.size() > kMaxHeaderBlock) status = error("part headers longer than 8 KiB");
        break;
      }
      if (end > kMaxHeaderBlock) {
        status = error("part headers longer than 8 KiB");
        break;
      }
      status = begin_part(rest.substr(0, end));
      consume(end + 4);
      state_ = State::kData;
    } else if (state_ == State::kData) {
      size_t at = rest.find(delimiter_);
      if (at == std::string_view::npos) {
        // Everything but a tail that could be the start of the delimiter is the part's data.
        if (rest.size() >= delimiter_.size()) {
          const size_t emit = rest.size() - delimiter_.size() + 1;
          if (callbacks_.on_part_data) status = callbacks_.on_part_data(rest.substr(0, emit));
          consume(emit);
        }
        break;
      }
      if (at > 0 && callbacks_.on_part_data) status = callbacks_.on_part_data(rest.substr(0, at));
      if (!status.is_ok()) break;
      consume(at + delimiter_.size());
      in_part_ = false;
      if (callbacks_.on_part_end) status = callbacks_.on_part_end();
      state_ = State::kAfterBoundary;
    } else {
      break;
    }
  }
  pending_.erase(0, used);
  return status;
}

}  // namespace alignwatch::daemon::http
