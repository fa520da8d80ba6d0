#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium for the browser tests,
# installing Debian's chromium package when it is missing (needs root and
# apt-get). Logs go to stderr; only the path goes to stdout.
set -euo pipefail
for c in chromium chromium-browser google-chrome; do
  if p=$(command -v "$c" 2>/dev/null); then echo "$p"; exit 0; fi
done
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: Chromium is not installed and I cannot install it (need root and apt-get)" >&2
  exit 1
fi
echo "chromium.sh: installing chromium (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
apt-get install -y --no-install-recommends chromium >&2
command -v chromium
