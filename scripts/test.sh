#!/usr/bin/env bash
# Builds alignwatch and runs every test (unit and integration). `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
source scripts/blas_env.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j "$jobs"
