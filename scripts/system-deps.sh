#!/usr/bin/env bash
# Debian packages the test suite needs: a PostgreSQL server (started by the tests on loopback)
# Java 17 for Spark (linkage's spark engine runs pyspark in local mode in the tests) and
# Chromium for the web app's browser tests.
# Installs only what is missing; needs root (as on CI and the project's machines).
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
# Debian's Chromium for the web app's browser tests (Playwright drives it; never `playwright install`).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Pango for WeasyPrint (published reports as PDF).
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The tests start their own throw-away server; the packaged cluster is not needed.
if command -v pg_lsclusters >/dev/null 2>&1; then
  service postgresql stop >/dev/null 2>&1 || true
fi
