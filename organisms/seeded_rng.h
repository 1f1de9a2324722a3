#pragma once
// A small deterministic random generator (splitmix64): the same seed gives the same organism on
// every platform and standard library (std::uniform_*_distribution are implementation-defined).

#include <cstdint>
#include <string_view>

namespace alignwatch::organisms {

class SeededRng {
 public:
  explicit SeededRng(uint64_t seed) : state_(seed ^ 0x9E3779B97F4A7C15ull) {}
  // A generator derived from this seed and a stream name, independent of draws made so far.
  static SeededRng stream(uint64_t seed, std::string_view name) {
    uint64_t h = 1469598103934665603ull;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return SeededRng(seed * 0xD1B54A32D192ED03ull + h);
  }
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t below(uint64_t n) { return next() % n; }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t state_;
};

}  // namespace alignwatch::organisms
