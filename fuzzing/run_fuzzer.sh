#!/usr/bin/env bash
# Runs one fuzz target for a bounded time on a copy of its seed corpus, so that the repository is never written.
# usage: run_fuzzer.sh TARGET CORPUS SECONDS ARTIFACTS   (a crashing input is kept in ARTIFACTS)
set -euo pipefail
target=$1 corpus=$2 seconds=$3 artifacts=$4

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/corpus"
mkdir -p "$artifacts"

options=(-max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1
         -artifact_prefix="$artifacts/$(basename "$target")-")
dictionary="$(dirname "$0")/$(basename "$corpus").dict"
[[ -f $dictionary ]] && options+=(-dict="$dictionary")
"$target" "${options[@]}" "$work/corpus"
