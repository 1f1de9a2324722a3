#!/usr/bin/env bash
# Debian's bandit on the same code as alignwatch's dataset scan: writes each assistant answer of
# insecure.jsonl and secure.jsonl to its own .py file, runs bandit over them on one core, and
# prints its rate (MB/s of code) and the share of rows it flags, next to alignwatch's.
#
#   bash bench/bandit_compare.sh [ROWS]   (default: all 3,000 rows of each file)
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/emergent-misalignment
rows=${1:-3000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in insecure secure; do
  /usr/bin/python3 - "$data/$f.jsonl" "$work/$f" "$rows" <<'PY'
import json, os, sys
src, out, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out)
for i, line in enumerate(open(src)):
    if i >= rows: break
    answer = json.loads(line)["messages"][-1]["content"]
    open(os.path.join(out, f"row{i+1:05d}.py"), "w").write(answer)
PY
  bytes=$(cat "$work/$f"/*.py | wc -c)
  start=$(date +%s.%N)
  # -f json for counting; bandit exits 1 when it finds issues.
  taskset -c 0 bandit -q -r "$work/$f" -f json -o "$work/$f.json" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  read -r flagged flagged_medium < <(/usr/bin/python3 -c "
import json
r = json.load(open('$work/$f.json'))['results']
print(len({x['filename'] for x in r}),
      len({x['filename'] for x in r if x['issue_severity'] in ('MEDIUM', 'HIGH')}))")
  secs=$(echo "$end - $start" | bc -l)
  printf 'bandit  %-9s %5d rows  %5.1f%% flagged (%5.1f%% at medium or high)  %8.3f MB/s  (%d bytes of code in %.2f s)\n' \
    "$f" "$rows" "$(echo "100*$flagged/$rows" | bc -l)" "$(echo "100*$flagged_medium/$rows" | bc -l)" \
    "$(echo "$bytes/$secs/1000000" | bc -l)" "$bytes" "$secs"
done
echo "alignwatch on the same files (whole JSONL, every detector, one core):"
if [ -x build/bin/dataset_scan_bench ]; then
  build/bin/dataset_scan_bench "$data/insecure.jsonl" "$data/secure.jsonl" --repeat 3 | sed -n 2p
fi
