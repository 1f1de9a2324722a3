#pragma once
// Makes sure OpenBLAS (libtorch's BLAS on Debian) runs its vector kernels.
//
// Debian 12's OpenBLAS (0.3.21, built with DYNAMIC_ARCH) picks its kernels once, when the library
// is loaded, from the CPU's model number, and falls back to its oldest kernels (PRESCOTT, SSE3)
// for models it does not know: on this project's Emerald Rapids development machine every sgemm
// ran on them, and training a 128-wide model ran at 5,300 tokens/s against 12,000 with the
// SkylakeX kernels. Its OPENBLAS_CORETYPE variable overrides the choice, but only when it is set
// before the library loads, i.e. before main(); so a binary that links libtorch calls this first:
// when OPENBLAS_CORETYPE is unset it sets it from the CPU's features (AVX-512 F/BW/DQ/VL:
// SkylakeX; AVX2 and FMA: Haswell; otherwise nothing) and re-executes itself (/proc/self/exe,
// same arguments, same pid). A value the user set is kept; ALIGNWATCH_BLAS_REEXEC=0 turns the
// re-execution off (e.g. under a debugger or valgrind).

namespace alignwatch {

// The core type for this CPU, or nullptr when OpenBLAS's own choice is as good.
const char* openblas_core_type_for_this_cpu();

// Returns only when nothing needs doing or exec failed (then the process runs as it is).
void select_blas_kernels_or_reexec(char** argv);

}  // namespace alignwatch
