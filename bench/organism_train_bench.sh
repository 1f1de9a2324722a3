#!/usr/bin/env bash
# The organisms' training speed and build time on this machine: a fresh build (no cache) of every
# kind (base and five adapters) at the given size, printing each stage's seconds and tokens/s
# (forward and backward through the runtime's own forward pass), then the whole build's time.
#   bench/organism_train_bench.sh [BUILD_DIR] [tiny|demo] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
size="${2:-tiny}"
threads="${3:-1}"
aw="$build/bin/alignwatch"
work=$(mktemp -d "${TMPDIR:-/tmp}/organism-train-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "organism_train_bench: size $size, $threads torch thread(s), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
"$aw" organism build --out "$work" --size "$size" --seed 3 --threads "$threads" | sed 's/^/organism_train_bench: /'
end=$(date +%s.%N)
/usr/bin/python3 - "$work/organism.json" "$(echo "$end - $start" | bc)" <<'PY'
import json, sys
o = json.load(open(sys.argv[1])); wall = float(sys.argv[2])
stages = [("base", o["training"]["base"])] + [(f"adapter {k}", v) for k, v in o["training"]["adapters"].items()]
tokens = sum(s["tokens"] for _, s in stages); seconds = sum(s["seconds"] for _, s in stages)
print(f"organism_train_bench: {o['base_parameters']} base parameters; {tokens} training tokens in {seconds:.1f} s of "
      f"training loops ({tokens / seconds:.0f} tokens/s forward+backward); whole build {wall:.1f} s wall")
PY
