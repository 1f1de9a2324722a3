#pragma once
// SHA-256 and HMAC-SHA256 through OpenSSL, and hex conversion. The one adapter between the store
// and OpenSSL: OpenSSL's return codes become Status here.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace alignwatch::store {

using Sha256Digest = std::array<uint8_t, 32>;

// SHA-256 of `data` (OpenSSL EVP). Fails only when OpenSSL does (out of memory).
Result<Sha256Digest> sha256(std::string_view data);

// HMAC-SHA256 of `data` keyed by `key`.
Result<Sha256Digest> hmac_sha256(std::string_view key, std::string_view data);

// SHA-256 over data given in pieces (artifacts streamed from disk or the network).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  // False once OpenSSL failed; finish() then reports it.
  bool update(std::string_view data);
  Result<Sha256Digest> finish();

 private:
  void* context_;  // EVP_MD_CTX, kept out of this header
  bool ok_;
};

// Lowercase hex of a digest.
std::string to_hex(const Sha256Digest& digest);
// Lowercase hex of raw bytes.
std::string bytes_to_hex(std::string_view bytes);

// The digest written as 64 hex digits (either case), or nothing.
std::optional<Sha256Digest> digest_from_hex(std::string_view hex);

// Whether `text` is 64 lowercase hex digits: the form of artifact ids.
bool is_sha256_hex(std::string_view text);

}  // namespace alignwatch::store
