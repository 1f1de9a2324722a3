#pragma once
// One link of the audit hash chain: it binds one evidence record (by kind, column family, key
// and the SHA-256 of its exact value bytes) to its position and to every link before it.
//
//   link_hash = H(prev_link_hash || be64(seq) || lp(kind) || lp(column_family) || lp(key)
//                 || body_sha256)
//
// where lp(s) = be32(len(s)) || s, so no two different field tuples hash the same input, H is
// SHA-256 or HMAC-SHA256 (link_hasher.h), and the first link's prev_link_hash is 32 zero bytes.
// Stored in `audit_chain` under be64(seq) as JSON with the digests in lowercase hex.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/digest.h"

namespace alignwatch::store {

struct ChainLink {
  uint64_t seq = 0;  // 1-based position in the chain
  std::string kind;  // evidence_kind_name()
  std::string column_family;
  std::string key;
  Sha256Digest body_sha256{};
  Sha256Digest prev_link_hash{};  // zeros for seq 1
  Sha256Digest link_hash{};
};

// The bytes the link hash is computed over (see the formula above).
std::string link_hash_input(const ChainLink& link);

// The JSON stored in `audit_chain`.
std::string encode_chain_link(const ChainLink& link);

// Parses a stored link. `where` names it in errors ("audit_chain seq 7").
// Fails with kCorruption when the value is not a well-formed link.
Result<ChainLink> decode_chain_link(std::string_view json, std::string_view where);

}  // namespace alignwatch::store
