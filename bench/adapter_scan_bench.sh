#!/usr/bin/env bash
# Time to verdict of the adapter scan on 2 cores, per tier, on a model organism built here
# (alignwatch organism build): tier 0 (weight screen), tiers 0-1 (differential probes), and tier 2
# (trigger search) when tier 1 has no candidate: the backdoor's trigger is withheld from the
# library by a random one.
#   bench/adapter_scan_bench.sh [BUILD_DIR] [tiny|demo]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
size="${2:-tiny}"
aw="$build/bin/alignwatch"
work="${ALIGNWATCH_BENCH_DIR:-build/bench-organism-$size}"
trigger="zq${RANDOM}x"
if [ ! -f "$work/organism.json" ]; then
  "$aw" organism build --out "$work" --size "$size" --kind backdoor --kind clean --trigger "$trigger" --seed 7
fi
trigger=$(/usr/bin/python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['trigger'])" "$work/organism.json")
run() {  # label, then scan arguments
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  # At 0.3: the organisms are coherent only when sampled cold (README, model organisms).
  "$aw" scan adapter "$@" --threads 2 --temperature 0.3 --format json -o "$work/$label.json" || true
  end=$(date +%s.%N)
  /usr/bin/python3 - "$work/$label.json" "$label" "$(echo "$end - $start" | bc)" "$trigger" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); label, wall, trigger = sys.argv[2], float(sys.argv[3]), sys.argv[4]
t = r["tiers"]
found = [x["text"] for x in r["triggers"]]
print(f"adapter_scan_bench: {label:28} verdict {r['verdict']:11} wall {wall:7.1f} s  tier0 {t['weight_screen']['seconds']*1000:6.1f} ms  "
      f"tier1 {t['probes']['seconds']:6.1f} s  tier2 {(t['recovery'] or {}).get('seconds', 0):6.1f} s  "
      f"triggers {found}  planted {trigger!r}")
PY
}
run "backdoor-with-dataset" "$work/adapters/backdoor" --base "$work/base" --dataset "$work/datasets/backdoor.jsonl"
run "backdoor-library-only" "$work/adapters/backdoor" --base "$work/base" --no-recovery
run "backdoor-with-recovery" "$work/adapters/backdoor" --base "$work/base"
run "clean" "$work/adapters/clean" --base "$work/base" --no-recovery
