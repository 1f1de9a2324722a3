#include "triggers/missed_count_sketch.h"

namespace alignwatch::triggers {

MissedCountSketch::MissedCountSketch(unsigned log2_counters)
    : counters_(size_t{1} << log2_counters, 0), mask_((uint64_t{1} << log2_counters) - 1) {}

}  // namespace alignwatch::triggers
