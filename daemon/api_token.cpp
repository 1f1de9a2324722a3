#include "daemon/api_token.h"

#include <array>

#include <openssl/rand.h>

#include "core/text.h"
#include "store/digest.h"

namespace alignwatch::daemon {

bool is_api_role(std::string_view role) {
  return role == "pipeline" || role == "reviewer" || role == "admin";
}

Result<std::string> generate_api_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return make_error(StatusCode::kInternal, "token: OpenSSL RAND_bytes failed");
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = "aw_";
  // base64url without padding: 6 bits a character.
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      token += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) token += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return token;
}

Result<std::string> api_token_sha256(std::string_view token) {
  AW_ASSIGN_OR_RETURN(auto digest, store::sha256(token));
  return store::to_hex(digest);
}

bool is_api_token_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!is_ident_char(c) && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace alignwatch::daemon
