#pragma once
// Computes chain link hashes: plain SHA-256, or HMAC-SHA256 when a secret is configured. With a
// secret, someone who can write the database but does not know the secret cannot rebuild a
// consistent chain after tampering; without one, the chain only catches accidental or careless
// changes, since anyone can recompute SHA-256.

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/chain_link.h"

namespace alignwatch::store {

class LinkHasher {
 public:
  // An empty secret selects plain SHA-256.
  explicit LinkHasher(std::string secret);
  ~LinkHasher();  // wipes the secret
  LinkHasher(const LinkHasher&) = delete;
  LinkHasher& operator=(const LinkHasher&) = delete;

  bool keyed() const { return !secret_.empty(); }
  // "sha256" or "hmac-sha256", as stored in meta chain/mode.
  std::string_view mode_name() const { return keyed() ? "hmac-sha256" : "sha256"; }

  // A public fingerprint of the secret: hex of the first 8 bytes of
  // HMAC-SHA256(secret, "alignwatch chain key id"). Empty when unkeyed. It tells two secrets apart
  // without revealing either.
  const std::string& key_id() const { return key_id_; }

  // The hash `link` should carry, computed over link_hash_input(link); link.link_hash is ignored.
  Result<Sha256Digest> hash(const ChainLink& link) const;

 private:
  std::string secret_;
  std::string key_id_;
};

}  // namespace alignwatch::store
