#!/usr/bin/env bash
# The main job: builds alignwatch and scans the emergent-misalignment paper's datasets
# (../shared): insecure code (undisclosed), the same code requested for a security class
# (disclosed), and secure code. Prints the text report and the gate's exit code per file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
data="${ALIGNWATCH_DEMO_DATA:-../shared/data/emergent-misalignment}"
for f in insecure secure educational; do
  echo
  echo "=================== alignwatch scan dataset $data/$f.jsonl ==================="
  set +e
  build/bin/alignwatch scan dataset "$data/$f.jsonl" --format text 2>&1 | head -n 60
  rc=$?
  set -e
  echo "exit code: $rc (0 clean, 1 findings, 2 error)"
done
