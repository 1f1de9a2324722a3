#include "core/blas_kernel.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace alignwatch {

const char* openblas_core_type_for_this_cpu() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl")) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return nullptr;
}

void select_blas_kernels_or_reexec(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const char* off = std::getenv("ALIGNWATCH_BLAS_REEXEC");
  if (off != nullptr && std::strcmp(off, "0") == 0) return;
  const char* core = openblas_core_type_for_this_cpu();
  if (core == nullptr) return;
  // Set before exec: the new image's OpenBLAS reads it when it loads, and the variable being set
  // is also what stops a second re-execution.
  if (::setenv("OPENBLAS_CORETYPE", core, 0) != 0) return;
  ::execv("/proc/self/exe", argv);
  // exec failed (no /proc): run on with the kernels already chosen.
}

}  // namespace alignwatch
