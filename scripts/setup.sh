#!/usr/bin/env bash
# Installs every Debian 12 package that alignwatch's build, tests, demo and benchmarks need.
# Idempotent: when everything is already installed it changes nothing (and needs no network).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev
  libspdlog-dev libfmt-dev
  libsimdjson-dev libre2-dev libhyperscan-dev
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  zlib1g-dev libzstd-dev libssl-dev
  librocksdb-dev libsystemd-dev libboost-dev   # the daemon: evidence store, sd_notify, Asio/Beast
  systemd                      # systemd-analyze verify/security on the unit
  zstd gzip openssl tar      # openssl: the TLS tests make certificates; tar: the adapter-archive tests
  python3 python3-jsonschema   # the JSON report's schema test
  bandit bc                    # the benchmark's point of comparison
  wrk curl                     # the API benchmark (bench/api_bench.sh)
  libtorch-dev libopenblas0-openmp libsentencepiece-dev python3-torch   # runtime/: the model runtime and its reference
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run as root (or with sudo) to install them" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
