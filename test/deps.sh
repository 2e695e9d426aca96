#!/usr/bin/env bash
# What the tests need from Debian, installed when missing (run by `npm test` before the tests):
# redis-server (tests start their own on a free loopback port), systemd's tools (systemd-notify for the
# watchdog test, systemd-analyze to verify the units), python3 (pseudo-terminals for simulated serial
# miners) and tmux (the TUI's end-to-end test).
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "tests need: ${missing[*]} (installing from Debian's packages)" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "run as root or install: apt-get install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
