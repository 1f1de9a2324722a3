#pragma once
// API bearer tokens: how they are made and recognised. The store keeps only a token's SHA-256,
// so a token is shown once, when it is created, and cannot be recovered from the store.
//
// Roles: `pipeline` (submit, read its own scans), `reviewer` (read everything, acknowledge
// alerts), `admin` (tokens, config).

#include <string>
#include <string_view>

#include "core/status.h"

namespace alignwatch::daemon {

// Whether `role` is pipeline, reviewer or admin.
bool is_api_role(std::string_view role);

// A new token: "aw_" and 43 base64url characters of 32 random bytes (OpenSSL RAND_bytes).
Result<std::string> generate_api_token();

// The hex SHA-256 under which the store keeps `token`.
Result<std::string> api_token_sha256(std::string_view token);

// Whether `name` may name a token: 1-64 bytes of letters, digits, '-', '_', '.'.
bool is_api_token_name(std::string_view name);

}  // namespace alignwatch::daemon
