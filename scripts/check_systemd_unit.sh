#!/usr/bin/env bash
# Checks systemd/alignwatch.service the way CI gates it: `systemd-analyze verify` must accept it
# and `systemd-analyze security --offline=true` must rate its exposure below 3.0.
#   scripts/check_systemd_unit.sh PATH_TO_ALIGNWATCHD
set -euo pipefail
cd "$(dirname "$0")/.."
daemon_binary=${1:?usage: check_systemd_unit.sh PATH_TO_ALIGNWATCHD}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# verify checks that ExecStart's binary exists: point it at the one just built.
sed "s#/usr/sbin/alignwatchd#${daemon_binary}#g" systemd/alignwatch.service > "$work/alignwatch.service"
systemd-analyze verify "$work/alignwatch.service"
exposure=$(systemd-analyze security --offline=true "$work/alignwatch.service" 2>/dev/null |
  sed -n 's/.*Overall exposure level for alignwatch.service: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security: exposure ${exposure}"
[ -n "$exposure" ] || { echo "could not read the exposure level" >&2; exit 1; }
awk -v e="$exposure" 'BEGIN { exit !(e < 3.0) }' || { echo "exposure ${exposure} is not below 3.0" >&2; exit 1; }
