#pragma once
// A streaming multipart/form-data parser (RFC 7578): bytes go in as they arrive from the
// socket, parts come out through callbacks, and no part is ever held whole in memory, so an
// upload of any size runs in the memory of one network buffer plus a boundary.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace alignwatch::daemon::http {

struct MultipartPartHeader {
  std::string name;      // the form field's name
  std::string filename;  // as the client sent it; untrusted (check before any use)
  bool has_filename = false;
  std::string content_type;
};

struct MultipartCallbacks {
  // A part begins. An error stops the parse and is what feed() returns.
  std::function<Status(const MultipartPartHeader&)> on_part_begin;
  // Some of the current part's bytes (called any number of times).
  std::function<Status(std::string_view)> on_part_data;
  // The current part is complete.
  std::function<Status()> on_part_end;
};

// The boundary of a "multipart/form-data; boundary=..." Content-Type; kInvalidArgument when the
// type is not multipart/form-data or the boundary is missing or longer than 70 bytes.
Result<std::string> multipart_boundary(std::string_view content_type);

class MultipartParser {
 public:
  MultipartParser(std::string boundary, MultipartCallbacks callbacks);

  // Feeds the next bytes of the body. Errors name what is malformed and the body offset.
  Status feed(std::string_view bytes);
  // The body has ended: kInvalidArgument unless the closing boundary was seen.
  Status finish();
  // Bytes consumed so far.
  uint64_t offset() const { return offset_; }

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kData, kDone };
  Status process();
  Status error(std::string what) const;
  Status begin_part(std::string_view header_block);

  std::string dash_boundary_;  // "--" + boundary
  std::string delimiter_;      // "\r\n--" + boundary
  MultipartCallbacks callbacks_;
  std::string pending_;        // bytes not yet consumed
  uint64_t offset_ = 0;        // body offset of pending_[0]
  State state_ = State::kPreamble;
  bool in_part_ = false;
};

}  // namespace alignwatch::daemon::http
