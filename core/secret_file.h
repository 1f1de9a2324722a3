#pragma once
// Reads a secret (an HMAC key) from a file named by a config option: the file's bytes without a
// trailing newline. Used for the audit chain's key and the webhook's signing key.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace alignwatch {

// kNotFound when the file cannot be read, kInvalidArgument when the secret is shorter than
// `min_bytes`; messages name `option` and the path, never the secret.
Result<std::string> read_secret_file(const std::string& path, std::string_view option,
                                     size_t min_bytes = 16);

}  // namespace alignwatch
