#!/usr/bin/env bash
# Supply-chain and static security checks for .ci/run:
# - bandit over the package: any high-severity finding fails the run;
# - pip-audit --strict over the installed (locked) packages, where its advisory source can be
#   reached. Where it cannot, it says "not run", never "pass".
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
"$VENV/bin/bandit" -q -r src/candour -lll || { echo "bandit: high-severity findings" >&2; exit 1; }
echo "bandit: no high-severity finding"
out=$("$VENV/bin/pip-audit" --strict -l 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
  echo "pip-audit: no known vulnerability in the installed packages"
elif echo "$out" | grep -qiE "known vulnerabilit"; then
  echo "$out" >&2
  echo "pip-audit: known vulnerabilities found" >&2
  exit 1
else
  echo "pip-audit: not run (its advisory source could not be reached from here)"
fi
