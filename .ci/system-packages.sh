#!/usr/bin/env bash
# The Debian packages the test suite needs as real servers and clients: redis-server (several gateway processes
# sharing subscribers and the poll lease), python3-pandas and R (the notebook scripts; about a minute of apt on a
# fresh machine), chromium (GraphiQL). Installs what is missing when it can (root with apt-get); `npm test` runs this
# first (pretest), so `npm ci && npm test` sets up a fresh machine.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# The notebook guide's scripts (notebooks/, run by test/notebooks/): Debian's Python with requests and pandas, R with httr and jsonlite.
/usr/bin/python3 -c "import requests, pandas" >/dev/null 2>&1 || missing+=(python3-requests python3-pandas)
Rscript -e "library(httr); library(jsonlite)" >/dev/null 2>&1 || missing+=(r-base-core r-cran-httr r-cran-jsonlite)
# GraphiQL in a real browser (test/clients/graphiql-browser.test.ts): Debian's Chromium, driven by playwright-core.
[ -x /usr/bin/chromium ] || missing+=(chromium)
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
