#include "store/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace alignwatch::store {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<Sha256Digest> sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    return make_error(StatusCode::kInternal, "sha256: OpenSSL EVP_Digest failed");
  }
  return digest;
}

Result<Sha256Digest> hmac_sha256(std::string_view key, std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  // HMAC() is the one-shot EVP-based interface; it is not deprecated in OpenSSL 3.
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(),
           &length) == nullptr ||
      length != digest.size()) {
    return make_error(StatusCode::kInternal, "hmac-sha256: OpenSSL HMAC failed");
  }
  return digest;
}

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()), ok_(context_ != nullptr) {
  if (ok_) ok_ = EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr) == 1;
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

bool Sha256Stream::update(std::string_view data) {
  if (ok_ && !data.empty()) {
    ok_ = EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), data.data(), data.size()) == 1;
  }
  return ok_;
}

Result<Sha256Digest> Sha256Stream::finish() {
  Sha256Digest digest{};
  unsigned int length = 0;
  if (!ok_ || EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest.data(), &length) != 1 ||
      length != digest.size()) {
    ok_ = false;
    return make_error(StatusCode::kInternal, "sha256: OpenSSL EVP digest failed");
  }
  ok_ = false;  // a finished context takes no more data
  return digest;
}

std::string to_hex(const Sha256Digest& digest) {
  return bytes_to_hex(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string bytes_to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto byte = static_cast<uint8_t>(c);
    out.push_back(kHexDigits[byte >> 4]);
    out.push_back(kHexDigits[byte & 0x0f]);
  }
  return out;
}

std::optional<Sha256Digest> digest_from_hex(std::string_view hex) {
  Sha256Digest digest{};
  if (hex.size() != digest.size() * 2) return std::nullopt;
  for (size_t i = 0; i < digest.size(); ++i) {
    int high = hex_value(hex[2 * i]);
    int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<uint8_t>((high << 4) | low);
  }
  return digest;
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace alignwatch::store
