#!/usr/bin/env bash
# Installs what the benchmark peers need: Debian's Python (FastAPI, uvicorn, websockets), Node.js with npm, and the
# npm packages of the node and bun peers. Installs only what is missing; run as root on Debian bookworm.
set -euo pipefail
cd "$(dirname "$0")"

packages=(python3-fastapi python3-uvicorn python3-websockets)
# Node.js from elsewhere (NodeSource) ships npm itself and conflicts with Debian's npm: ask for the commands instead.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
bash ../../scripts/setup.sh build "${packages[@]}"

for dir in node bun; do
  [[ -d $dir/node_modules ]] || (cd "$dir" && npm ci --no-audit --no-fund)
done
