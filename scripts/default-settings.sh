#!/usr/bin/env bash
# Prints /etc/default/wshub: every setting that `wshub --help` lists, with its description, commented out at its
# default, so that the file can never miss a setting the binary has.
#   scripts/default-settings.sh BINARY
set -euo pipefail
binary=$1

cat <<'HEADER'
# Settings for wshub, read by its systemd unit (EnvironmentFile). One NAME=value a line; a setting left
# commented out keeps its default. Every setting is also a flag: see wshub(1) or `wshub --help`.
# Apply changes with `systemctl restart wshub` (which drains the connected clients first).
HEADER

# --help gives each option on one line, or on two when the flag is long; join them, then read each.
entry=""
emit() {
  local pattern='^ +--[a-z-]+ [A-Z]+ +(.*) \[env: ([A-Z_]+)\]$'
  [[ $entry =~ $pattern ]] || return 0
  local description=${BASH_REMATCH[1]} name=${BASH_REMATCH[2]} default=""
  local default_pattern='\(default ([^ :)]+)[:)]'
  if [[ $description =~ $default_pattern ]]; then default=${BASH_REMATCH[1]}; fi
  printf '\n# %s\n#%s=%s\n' "$description" "$name" "$default"
}
while IFS= read -r line; do
  if [[ $line =~ ^\ \ - ]]; then
    emit
    entry=$line
  elif [[ $line =~ ^\ {10,} ]]; then
    entry="$entry ${line#"${line%%[! ]*}"}"
  fi
done < <("$binary" --help)
emit
