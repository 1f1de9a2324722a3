#include "core/allocator_tuning.h"

#include <malloc.h>

#include <mutex>

namespace alignwatch {

void keep_large_allocations() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Every block from the heap (glibc refuses an mmap threshold above 32 MiB, and attention
    // scores are larger than that), freed ones kept for the next step.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
  });
}

}  // namespace alignwatch
