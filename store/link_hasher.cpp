#include "store/link_hasher.h"

#include <openssl/crypto.h>

namespace alignwatch::store {

LinkHasher::LinkHasher(std::string secret) : secret_(std::move(secret)) {
  if (secret_.empty()) return;
  auto fingerprint = hmac_sha256(secret_, "alignwatch chain key id");
  // On the OpenSSL failure that hmac_sha256 can report (out of memory) the key id stays empty;
  // it is diagnostic only, and hash() will report the same failure on first use.
  if (fingerprint) {
    key_id_ = to_hex(*fingerprint).substr(0, 16);
  }
}

LinkHasher::~LinkHasher() {
  if (!secret_.empty()) OPENSSL_cleanse(secret_.data(), secret_.size());
}

Result<Sha256Digest> LinkHasher::hash(const ChainLink& link) const {
  std::string input = link_hash_input(link);
  return keyed() ? hmac_sha256(secret_, input) : sha256(input);
}

}  // namespace alignwatch::store
