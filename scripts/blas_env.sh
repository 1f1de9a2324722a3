# Sourced by scripts that run test or benchmark binaries which link libtorch without going through
# alignwatch's own main() (core/blas_kernel.h explains why): sets OPENBLAS_CORETYPE from the CPU's
# features when it is unset, so Debian's OpenBLAS does not fall back to its SSE3 kernels on CPUs
# it does not know.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
  _aw_flags=" $(grep -m1 '^flags' /proc/cpuinfo) "
  _aw_has() { case "$_aw_flags" in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
  if _aw_has avx512f && _aw_has avx512bw && _aw_has avx512dq && _aw_has avx512vl; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif _aw_has avx2 && _aw_has fma; then
    export OPENBLAS_CORETYPE=Haswell
  fi
  unset -f _aw_has
  unset _aw_flags
fi
