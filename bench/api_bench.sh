#!/usr/bin/env bash
# The HTTPS API on loopback: requests/s and p50/p99 latency of GET /v1/alerts with 64
# connections (wrk), upload MB/s of a 100 MB dataset (alignwatch submit), and the daemon's
# resident memory before and during the upload (sampled every 20 ms from /proc).
#   bench/api_bench.sh [BUILD_DIR]      (needs wrk: scripts/setup.sh installs it)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
aw="$build/bin/alignwatch"
work="$(mktemp -d)"
state="$work/state"
trap 'kill -TERM $daemon 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/alignwatch.yaml" <<YAML
daemon:
  state_dir: $state
api:
  port: 0
  threads: 2
  rate_limit_per_s: 1000000
  rate_limit_burst: 1000000
YAML
"$build/bin/alignwatchd" --config "$work/alignwatch.yaml" 2> "$work/daemon.log" &
daemon=$!
for _ in $(seq 1 200); do [ -f "$state/api-endpoint.json" ] && break; sleep 0.05; done
url=$(/usr/bin/python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['url'])" "$state/api-endpoint.json")
reviewer=$("$aw" token create --state-dir "$state" --name bench-reviewer --role reviewer | grep '^aw_')
pipeline=$("$aw" token create --state-dir "$state" --name bench-pipeline --role pipeline | grep '^aw_')
export CI=1

# Alerts to list: the paper's insecure data, and 40 small flagged datasets.
data=../shared/data/emergent-misalignment
ALIGNWATCH_TOKEN=$pipeline "$aw" submit --state-dir "$state" --wait "$data/insecure.jsonl" > /dev/null || true
for i in $(seq 1 40); do
  head -n $((20 + i)) "$data/insecure.jsonl" > "$work/part$i.jsonl"
  ALIGNWATCH_TOKEN=$pipeline "$aw" submit --state-dir "$state" "$work/part$i.jsonl" > /dev/null
done
sleep 2
echo "alerts stored: $(curl -s --cacert "$state/api-cert.pem" -H "Authorization: Bearer $reviewer" "$url/v1/alerts?limit=1000" | /usr/bin/python3 -c 'import json,sys;print(len(json.load(sys.stdin)["items"]))')"

echo "== GET /v1/alerts?limit=20, 64 connections, 2 wrk threads, 10 s =="
wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $reviewer" "$url/v1/alerts?limit=20" | tee "$work/wrk.txt"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")

echo "== upload of a 100 MB dataset =="
/usr/bin/python3 - "$data/secure.jsonl" "$work/big.jsonl" <<'PY'
import sys
rows = open(sys.argv[1]).read().splitlines()
with open(sys.argv[2], "w") as out:
    size, i = 0, 0
    while size < 100_000_000:
        line = rows[i % len(rows)] + "\n"
        out.write(line); size += len(line); i += 1
PY
rss() { awk '/VmRSS/ {print $2}' /proc/$daemon/status; }
before=$(rss)
peak=$before
( while kill -0 $daemon 2>/dev/null; do rss; sleep 0.02; done ) > "$work/rss.txt" &
sampler=$!
start=$(date +%s.%N)
ALIGNWATCH_TOKEN=$pipeline "$aw" submit --state-dir "$state" --no-progress "$work/big.jsonl"
end=$(date +%s.%N)
kill $sampler 2>/dev/null || true
peak=$(sort -n "$work/rss.txt" | tail -1)
bytes=$(stat -c %s "$work/big.jsonl")
mbps=$(echo "scale=1; $bytes / 1000000 / ($end - $start)" | bc)
echo
echo "api_bench: GET /v1/alerts: ${rps} requests/s, p50 ${p50}, p99 ${p99} (64 connections)"
echo "api_bench: upload: $bytes bytes in $(echo "$end - $start" | bc) s = ${mbps} MB/s"
echo "api_bench: daemon RSS before upload ${before} KiB, peak during upload ${peak} KiB"
