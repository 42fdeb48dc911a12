#!/usr/bin/env bash
# The Debian packages the test suite needs as real servers: redis-server (several gateway processes sharing
# subscribers and the poll lease). Installs what is missing when it can (root with apt-get); `npm test` runs this
# first (pretest), so `npm ci && npm test` sets up a fresh machine.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages: ${missing[*]} (install them with apt-get as root)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing ${missing[*]} with apt-get…"
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
# The package starts a system service on the default port; the tests start their own servers.
(service redis-server stop >/dev/null 2>&1 || true)
