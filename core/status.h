#pragma once
// Status and Result: how every library boundary of alignwatch reports failure.
// Our code does not throw; third-party exceptions are caught at one adapter per library
// and converted here. Messages follow "<what>: <where>: expected <x>, got <y> [hint: ...]".

#include <cstdint>
#include <expected>
#include <string>
#include <utility>

namespace alignwatch {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kCorruption,
  kUnsupported,
  kResourceExhausted,
  kDeadlineExceeded,
  kUnavailable,
  kCancelled,
  kInternal,
};

std::string_view status_code_name(StatusCode code);

// Where a problem is: a file and, when known, a line (1-based), column (1-based) and byte offset.
struct Location {
  std::string file;
  uint64_t line = 0;
  uint64_t column = 0;
  uint64_t offset = 0;
  bool has_offset = false;

  bool empty() const { return file.empty() && line == 0; }
  // "file:line:column" with the parts that are known.
  std::string to_string() const;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, Location location = {})
      : code_(code), message_(std::move(message)), location_(std::move(location)) {}

  // Lets AW_RETURN_IF_ERROR serve functions that return Status as well as Result<T>.
  Status(std::unexpected<Status> error) : Status(std::move(error).error()) {}  // NOLINT

  static Status ok() { return {}; }
  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const Location& location() const { return location_; }
  // "<location>: <message>" or just the message when there is no location.
  std::string to_string() const;
  // Deliberately dropping an error must be written out.
  void ignore_error() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  Location location_;
};

template <typename T>
using Result = std::expected<T, Status>;

inline std::unexpected<Status> make_error(StatusCode code, std::string message,
                                          Location location = {}) {
  return std::unexpected<Status>(Status(code, std::move(message), std::move(location)));
}

}  // namespace alignwatch

#define AW_CONCAT_INNER(a, b) a##b
#define AW_CONCAT(a, b) AW_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` (a Status) is not ok.
#define AW_RETURN_IF_ERROR(expr)                                     \
  do {                                                               \
    ::alignwatch::Status aw_status_ = (expr);                        \
    if (!aw_status_.is_ok()) return std::unexpected(std::move(aw_status_)); \
  } while (0)

// `lhs = value of expr` (a Result<T>), or returns its error from the enclosing function.
#define AW_ASSIGN_OR_RETURN(lhs, expr)                                           \
  auto AW_CONCAT(aw_result_, __LINE__) = (expr);                                 \
  if (!AW_CONCAT(aw_result_, __LINE__)) {                                        \
    return std::unexpected(std::move(AW_CONCAT(aw_result_, __LINE__)).error());  \
  }                                                                              \
  lhs = std::move(*AW_CONCAT(aw_result_, __LINE__))
