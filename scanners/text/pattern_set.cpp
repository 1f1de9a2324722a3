#include "scanners/text/pattern_set.h"

#include <array>
#include <atomic>
#include <cstdlib>
#include <limits>

#include <hs/hs.h>

namespace alignwatch::scan {

namespace {

uint64_t next_serial() {
  // The one piece of process-wide state: an id source, never reset.
  static std::atomic<uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

// The scratches of one thread, one per PatternSet it used recently. Two sets live side by side
// during a reload; four slots leave room, and the least recently used one is recycled.
class ThreadScratches {
 public:
  ThreadScratches() = default;
  ThreadScratches(const ThreadScratches&) = delete;
  ThreadScratches& operator=(const ThreadScratches&) = delete;
  ~ThreadScratches() {
    for (auto& slot : slots_) {
      if (slot.scratch != nullptr) hs_free_scratch(slot.scratch);
    }
  }

  // This thread's scratch for the set named `serial`, cloned from `prototype` when missing.
  hs_scratch_t* get(uint64_t serial, const hs_scratch_t* prototype, hs_error_t& error) {
    ++clock_;
    Slot* victim = &slots_[0];
    for (auto& slot : slots_) {
      if (slot.serial == serial && slot.scratch != nullptr) {
        slot.last_used = clock_;
        return slot.scratch;
      }
      if (slot.last_used < victim->last_used) victim = &slot;
    }
    if (victim->scratch != nullptr) hs_free_scratch(victim->scratch);
    *victim = Slot{};
    error = hs_clone_scratch(prototype, &victim->scratch);
    if (error != HS_SUCCESS) {
      victim->scratch = nullptr;
      return nullptr;
    }
    victim->serial = serial;
    victim->last_used = clock_;
    return victim->scratch;
  }

 private:
  struct Slot {
    uint64_t serial = 0;
    uint64_t last_used = 0;
    hs_scratch_t* scratch = nullptr;
  };
  std::array<Slot, 4> slots_{};
  uint64_t clock_ = 0;
};

struct FindContext {
  std::vector<PatternMatch>* matches;
  size_t max_matches;
  uint32_t begin;  // absolute offset of the scanned text
  bool truncated;
};

int on_find(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* context) {
  auto* ctx = static_cast<FindContext*>(context);
  if (ctx->matches->size() >= ctx->max_matches) {
    ctx->truncated = true;
    return 1;  // stop the scan
  }
  ctx->matches->push_back(
      PatternMatch{id, ctx->begin, ctx->begin + static_cast<uint32_t>(to)});
  return 0;
}

struct LocateContext {
  unsigned long long end;  // the match end sought, relative to the window
  unsigned long long start;
  bool found;
};

int on_locate(unsigned int /*id*/, unsigned long long from, unsigned long long to,
              unsigned int /*flags*/, void* context) {
  auto* ctx = static_cast<LocateContext*>(context);
  if (to != ctx->end) return 0;
  ctx->start = from;
  ctx->found = true;
  return 1;  // the one match sought
}

constexpr unsigned int kFinderFlags = HS_FLAG_CASELESS;
constexpr unsigned int kLocatorFlags = HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST;
// Names the layout fingerprint() hashes; change it when what compile() builds changes in a way
// the flags above do not show.
constexpr std::string_view kFingerprintTag = "alignwatch.pattern_set.v1";

class Fnv1a64 {
 public:
  void add(std::string_view bytes) {
    for (const char c : bytes) {
      hash_ = (hash_ ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
  }
  void add(uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8) {
      hash_ = (hash_ ^ ((value >> shift) & 0xff)) * 0x100000001b3ULL;
    }
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

Status compile_error(hs_compile_error_t* error, size_t index, std::string_view expression) {
  std::string message = "hyperscan: expression " + std::to_string(index) +
                        ": expected a pattern Hyperscan accepts, got error '" + error->message +
                        "' [pattern: " + std::string(expression) + "]";
  hs_free_compile_error(error);
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

std::string hex64(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (size_t i = 16; i-- > 0; value >>= 4) text[i] = kDigits[value & 0xf];
  return text;
}

Status deserialize_error(hs_error_t error, std::string_view database) {
  const std::string where = "hyperscan: serialized " + std::string(database) + ": ";
  switch (error) {
    case HS_DB_VERSION_ERROR:
      return Status(StatusCode::kUnsupported,
                    where + "expected a database of Hyperscan " + hs_version() +
                        ", got one of another version");
    case HS_DB_PLATFORM_ERROR:
      return Status(StatusCode::kUnsupported,
                    where + "expected a database for this CPU, got one that needs instructions "
                            "it lacks");
    case HS_NOMEM:
      return Status(StatusCode::kResourceExhausted, where + "cannot allocate the database");
    default:
      return Status(StatusCode::kCorruption,
                    where + "expected a whole database, got bytes Hyperscan refuses (error " +
                        std::to_string(error) + ")");
  }
}

Status check_platform() {
  if (hs_valid_platform() != HS_SUCCESS) {
    return Status(StatusCode::kUnsupported,
                  "hyperscan: this CPU lacks the instructions Hyperscan needs (SSSE3)");
  }
  return Status::ok();
}

Status too_large(size_t bytes) {
  return Status(StatusCode::kResourceExhausted,
                "hyperscan: text of " + std::to_string(bytes) + " bytes: expected under 4 GiB");
}

}  // namespace

PatternSet::~PatternSet() {
  if (prototype_ != nullptr) hs_free_scratch(prototype_);
  for (hs_database_t* locator : locators_) hs_free_database(locator);
  if (finder_ != nullptr) hs_free_database(finder_);
}

Result<PatternSetPtr> PatternSet::compile(std::span<const std::string> expressions) {
  AW_RETURN_IF_ERROR(check_platform());
  // Owned from here on: the destructor frees whatever was built if a step fails.
  std::unique_ptr<PatternSet> set(new PatternSet());
  set->serial_ = next_serial();
  std::vector<const char*> sources;
  std::vector<unsigned int> flags;
  std::vector<unsigned int> ids;
  for (size_t i = 0; i < expressions.size(); ++i) {
    sources.push_back(expressions[i].c_str());
    flags.push_back(kFinderFlags);
    ids.push_back(static_cast<unsigned int>(i));
  }
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(sources.data(), flags.data(), ids.data(),
                       static_cast<unsigned int>(sources.size()), HS_MODE_BLOCK, nullptr,
                       &set->finder_, &error) != HS_SUCCESS) {
    const int index = error->expression;
    return std::unexpected(compile_error(
        error, index < 0 ? 0 : static_cast<size_t>(index),
        index >= 0 && static_cast<size_t>(index) < expressions.size()
            ? std::string_view(expressions[static_cast<size_t>(index)])
            : std::string_view("(the set as a whole)")));
  }
  set->locators_.reserve(expressions.size());
  for (size_t i = 0; i < expressions.size(); ++i) {
    hs_database_t* locator = nullptr;
    if (hs_compile(expressions[i].c_str(), kLocatorFlags, HS_MODE_BLOCK, nullptr, &locator,
                   &error) != HS_SUCCESS) {
      return std::unexpected(compile_error(error, i, expressions[i]));
    }
    set->locators_.push_back(locator);
  }
  AW_RETURN_IF_ERROR(set->allocate_prototype());
  set->fingerprint_ = fingerprint(expressions);
  return PatternSetPtr(set.release());
}

Result<PatternSetPtr> PatternSet::deserialize(std::span<const std::string> expressions,
                                              const SerializedPatternSetView& serialized) {
  AW_RETURN_IF_ERROR(check_platform());
  const uint64_t expected = fingerprint(expressions);
  if (serialized.fingerprint != expected) {
    return make_error(StatusCode::kInvalidArgument,
                      "hyperscan: serialized set: expected databases compiled from these "
                      "expressions (fingerprint " + hex64(expected) + "), got fingerprint " +
                          hex64(serialized.fingerprint));
  }
  if (serialized.locators.size() != expressions.size()) {
    return make_error(StatusCode::kCorruption,
                      "hyperscan: serialized set: expected " + std::to_string(expressions.size()) +
                          " locator databases, got " +
                          std::to_string(serialized.locators.size()));
  }
  std::unique_ptr<PatternSet> set(new PatternSet());
  set->serial_ = next_serial();
  set->fingerprint_ = expected;
  hs_error_t error = hs_deserialize_database(serialized.finder.data(), serialized.finder.size(),
                                             &set->finder_);
  if (error != HS_SUCCESS) return std::unexpected(deserialize_error(error, "finder"));
  set->locators_.reserve(serialized.locators.size());
  for (size_t i = 0; i < serialized.locators.size(); ++i) {
    hs_database_t* locator = nullptr;
    error = hs_deserialize_database(serialized.locators[i].data(), serialized.locators[i].size(),
                                    &locator);
    if (error != HS_SUCCESS) {
      return std::unexpected(deserialize_error(error, "locator " + std::to_string(i)));
    }
    set->locators_.push_back(locator);
  }
  AW_RETURN_IF_ERROR(set->allocate_prototype());
  return PatternSetPtr(set.release());
}

uint64_t PatternSet::fingerprint(std::span<const std::string> expressions) {
  Fnv1a64 hash;
  hash.add(kFingerprintTag);
  hash.add(uint64_t{kFinderFlags});
  hash.add(uint64_t{kLocatorFlags});
  hash.add(uint64_t{HS_MODE_BLOCK});
  hash.add(uint64_t{expressions.size()});
  for (const std::string& expression : expressions) {
    // The length first, so that no two lists hash the same bytes.
    hash.add(uint64_t{expression.size()});
    hash.add(std::string_view(expression));
  }
  return hash.value();
}

Result<SerializedPatternSet> PatternSet::serialize() const {
  SerializedPatternSet serialized;
  serialized.fingerprint = fingerprint_;
  auto serialize_one = [](const hs_database_t* database, std::string& out) -> Status {
    char* bytes = nullptr;
    size_t length = 0;
    const hs_error_t error = hs_serialize_database(database, &bytes, &length);
    if (error != HS_SUCCESS) {
      return Status(error == HS_NOMEM ? StatusCode::kResourceExhausted : StatusCode::kInternal,
                    "hyperscan: serialize failed with error " + std::to_string(error));
    }
    out.assign(bytes, length);
    // Hyperscan allocated the bytes with its misc allocator, which is malloc unless set.
    std::free(bytes);
    return Status::ok();
  };
  AW_RETURN_IF_ERROR(serialize_one(finder_, serialized.finder));
  serialized.locators.resize(locators_.size());
  for (size_t i = 0; i < locators_.size(); ++i) {
    AW_RETURN_IF_ERROR(serialize_one(locators_[i], serialized.locators[i]));
  }
  return serialized;
}

Status PatternSet::allocate_prototype() {
  // One scratch serves several databases once it has been allocated for each.
  if (hs_alloc_scratch(finder_, &prototype_) != HS_SUCCESS) {
    return Status(StatusCode::kResourceExhausted, "hyperscan: cannot allocate scratch space");
  }
  for (const hs_database_t* locator : locators_) {
    if (hs_alloc_scratch(locator, &prototype_) != HS_SUCCESS) {
      return Status(StatusCode::kResourceExhausted, "hyperscan: cannot allocate scratch space");
    }
  }
  return Status::ok();
}

hs_scratch_t* PatternSet::thread_scratch(Status& status) const {
  thread_local ThreadScratches scratches;
  hs_error_t error = HS_SUCCESS;
  hs_scratch_t* scratch = scratches.get(serial_, prototype_, error);
  if (scratch == nullptr) {
    status = Status(StatusCode::kResourceExhausted,
                    "hyperscan: cannot allocate scratch space (error " + std::to_string(error) +
                        ")");
  }
  return scratch;
}

Status PatternSet::scan(std::string_view text, size_t begin, size_t end,
                        std::vector<PatternMatch>& matches, size_t max_matches,
                        bool& truncated) const {
  truncated = false;
  if (text.size() >= std::numeric_limits<uint32_t>::max()) return too_large(text.size());
  if (begin >= end || end > text.size()) return Status::ok();
  Status status;
  hs_scratch_t* scratch = thread_scratch(status);
  if (scratch == nullptr) return status;
  FindContext context{&matches, max_matches, static_cast<uint32_t>(begin), false};
  const hs_error_t result = hs_scan(finder_, text.data() + begin,
                                    static_cast<unsigned int>(end - begin), 0, scratch, on_find,
                                    &context);
  truncated = context.truncated;
  if (result != HS_SUCCESS && !(result == HS_SCAN_TERMINATED && context.truncated)) {
    return Status(StatusCode::kInternal,
                  "hyperscan: scan failed with error " + std::to_string(result));
  }
  return Status::ok();
}

Status PatternSet::locate(std::string_view text, PatternMatch& match, size_t max_length) const {
  if (text.size() >= std::numeric_limits<uint32_t>::max()) return too_large(text.size());
  if (match.id >= locators_.size() || match.end > text.size() || match.begin > match.end) {
    return Status(StatusCode::kInternal, "hyperscan: locate: match outside the text or set");
  }
  const size_t window_begin =
      match.end - match.begin > max_length ? match.end - max_length : match.begin;
  Status status;
  hs_scratch_t* scratch = thread_scratch(status);
  if (scratch == nullptr) return status;
  LocateContext context{match.end - window_begin, 0, false};
  const hs_error_t result =
      hs_scan(locators_[match.id], text.data() + window_begin,
              static_cast<unsigned int>(match.end - window_begin), 0, scratch, on_locate, &context);
  if (result != HS_SUCCESS && result != HS_SCAN_TERMINATED) {
    return Status(StatusCode::kInternal,
                  "hyperscan: locate failed with error " + std::to_string(result));
  }
  match.begin = static_cast<uint32_t>(window_begin + (context.found ? context.start : 0));
  return Status::ok();
}

}  // namespace alignwatch::scan
