#!/usr/bin/env bash
# Installs the Debian packages wshub needs: `setup.sh build` for building and running, `setup.sh test` for the
# tests too; packages named after the profile are added (the benchmark's tools). Installs only what is missing, and
# refreshes apt's lists only when it has something to install.
set -euo pipefail

# git: --version names the commit the build came from (without git it says "unknown").
# libssl-dev: OpenSSL 3, for https:// and wss://, TLS to Redis (rediss://) and the load generator's TLS.
build_packages=(g++ cmake ninja-build git pkg-config libboost1.81-dev libboost-json1.81-dev libspdlog-dev libcli11-dev
                libgtest-dev libhiredis-dev zlib1g-dev libssl-dev)
# clang-14's libFuzzer runtime (libclang_rt.fuzzer) is only recommended by it, so it is named here.
# lintian, help2man and dpkg-dev: the Debian package's test builds and checks the package.
# redis-server, redis-sentinel and haproxy: the cluster tests run a real Redis (and Sentinel, for failovers) and a real
# load balancer in front of the nodes;
# openssl and curl: the TLS tests make their own CA and certificates, and check https:// with curl too.
# nodejs and node-ws: Node's ws is the compression tests' third independent client.
test_packages=(python3 python3-pytest python3-websockets clang-format prometheus systemd clang libclang-rt-14-dev
               chromium chromium-driver python3-selenium python3-fastapi python3-uvicorn lintian help2man dpkg-dev
               redis-server redis-sentinel openapi-specification python3-jsonschema haproxy openssl curl nodejs node-ws)

case "${1:-build}" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 [build|test] [PACKAGE...]" >&2; exit 2 ;;
esac
wanted+=("${@:2}")

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: these Debian packages are missing; install them as root: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
