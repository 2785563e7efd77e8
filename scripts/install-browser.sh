#!/usr/bin/env bash
# Installs what stukje's page tests (tests/web) drive: Debian's Chromium at /usr/bin/chromium.
# Playwright (a Python dev dependency) drives that binary; it never downloads a browser of its own.
# Needs root (or sudo) and Debian's package sources; does nothing when Chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-browser: /usr/bin/chromium is missing and this user cannot install it;" >&2
    echo "  run as root: apt-get install -y chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
