#include "core/secret_file.h"

#include <fstream>
#include <sstream>

namespace alignwatch {

Result<std::string> read_secret_file(const std::string& path, std::string_view option,
                                     size_t min_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(StatusCode::kNotFound, std::string(option) + ": cannot read '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < min_bytes) {
    return make_error(StatusCode::kInvalidArgument,
                      std::string(option) + ": expected a secret of at least " +
                          std::to_string(min_bytes) + " bytes in '" + path + "', got " +
                          std::to_string(secret.size()));
  }
  return secret;
}

}  // namespace alignwatch
