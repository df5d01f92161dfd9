#!/usr/bin/env bash
# Installs what the benchmark peers need: Debian's Python (FastAPI, uvicorn, websockets), Node.js with npm, and the
# npm packages of the node and bun peers. Installs only what is missing; run as root on Debian bookworm.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
for package in python3-fastapi python3-uvicorn python3-websockets; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Node.js from elsewhere (NodeSource) ships npm itself and conflicts with Debian's npm: ask for the commands instead.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "peers: these Debian packages are missing; install them as root: ${missing[*]}" >&2
    exit 1
  fi
  echo "peers: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for dir in node bun; do
  [[ -d $dir/node_modules ]] || (cd "$dir" && npm ci --no-audit --no-fund)
done
