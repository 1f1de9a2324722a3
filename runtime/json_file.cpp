#include "runtime/json_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace alignwatch::runtime {

Result<nlohmann::json> parse_json(std::string_view text, const std::string& where) {
  // nlohmann::json::parse with allow_exceptions = false returns a discarded value on error;
  // a parser callback is not needed. The sax-based accept() gives no position, so on error we
  // parse once more with exceptions to get the byte position: this is the adapter boundary.
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!value.is_discarded()) return value;
  try {
    auto reparsed = nlohmann::json::parse(text.begin(), text.end());
    (void)reparsed;
  } catch (const nlohmann::json::parse_error& e) {
    return make_error(StatusCode::kCorruption, "invalid JSON: " + where + ": byte " + std::to_string(e.byte) +
                                                   ": expected valid JSON, got a syntax error");
  } catch (const std::exception&) {
  }
  return make_error(StatusCode::kCorruption,
                    "invalid JSON: " + where + ": expected valid JSON, got a syntax error");
}

Result<std::string> read_text_file(const std::string& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kUnavailable,
                      "cannot open file: " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(StatusCode::kInvalidArgument,
                      "not a regular file: " + path + ": expected a file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return make_error(StatusCode::kResourceExhausted,
                      "file too large: " + path + ": expected at most " +
                          std::to_string(max_bytes) + " bytes, got " +
                          std::to_string(st.st_size));
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return make_error(StatusCode::kUnavailable, "cannot read file: " + path);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

Result<nlohmann::json> read_json_file(const std::string& path, uint64_t max_bytes) {
  AW_ASSIGN_OR_RETURN(std::string text, read_text_file(path, max_bytes));
  return parse_json(text, path);
}

std::string json_type_name(const nlohmann::json& v) { return v.type_name(); }

namespace {
std::unexpected<Status> wrong_type(std::string_view key, const std::string& where,
                                   std::string_view expected, const nlohmann::json& got) {
  return make_error(StatusCode::kInvalidArgument,
                    "field '" + std::string(key) + "': " + where + ": expected " +
                        std::string(expected) + ", got " + got.type_name());
}
}  // namespace

Result<std::optional<int64_t>> json_int(const nlohmann::json& obj, std::string_view key,
                                        const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>{};
  if (it->is_number_integer()) return std::optional<int64_t>{it->get<int64_t>()};
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::optional<int64_t>{static_cast<int64_t>(d)};
    }
  }
  return wrong_type(key, where, "an integer", *it);
}

Result<std::optional<double>> json_number(const nlohmann::json& obj, std::string_view key,
                                          const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<double>{};
  if (it->is_number()) return std::optional<double>{it->get<double>()};
  return wrong_type(key, where, "a number", *it);
}

Result<std::optional<bool>> json_bool(const nlohmann::json& obj, std::string_view key,
                                      const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<bool>{};
  if (it->is_boolean()) return std::optional<bool>{it->get<bool>()};
  return wrong_type(key, where, "a boolean", *it);
}

Result<std::optional<std::string>> json_string(const nlohmann::json& obj, std::string_view key,
                                               const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>{};
  if (it->is_string()) return std::optional<std::string>{it->get<std::string>()};
  return wrong_type(key, where, "a string", *it);
}

Result<int64_t> json_required_int(const nlohmann::json& obj, std::string_view key,
                                  const std::string& where) {
  AW_ASSIGN_OR_RETURN(auto v, json_int(obj, key, where));
  if (!v) {
    return make_error(StatusCode::kInvalidArgument,
                      "field '" + std::string(key) + "': " + where +
                          ": expected an integer, got nothing (missing)");
  }
  return *v;
}

}  // namespace alignwatch::runtime
