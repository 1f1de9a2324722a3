#pragma once
// The chain head kept in meta chain/head: the seq and hash of the last link. It is written in the
// same batch as every link, so a head that disagrees with the last link means links were removed
// from the end (truncation) or added without the store.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/digest.h"

namespace alignwatch::store {

struct ChainHead {
  uint64_t seq = 0;           // 0: empty chain
  Sha256Digest link_hash{};   // zeros for an empty chain

  bool operator==(const ChainHead&) const = default;
};

// JSON {"seq": N, "link_hash": "<hex>"}.
std::string encode_chain_head(const ChainHead& head);

// Parses a stored head; fails with kCorruption when malformed.
Result<ChainHead> decode_chain_head(std::string_view json);

}  // namespace alignwatch::store
