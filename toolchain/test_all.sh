#!/usr/bin/env bash
# Every test suite, as `make test` runs it (after `make setup`): independent suites in parallel,
# each on its own port, each writing its own log; the logs are printed whole, one after another,
# and the script fails if any suite failed.
#
#   contracts  brownie on Ganache :8555 (unit, attack, property and stateful invariant tests)
#   forge      the Foundry invariant suite (no chain)
#   python     scoring, backend on SQLite (Ganache :8605), bots (Ganache :8615-8635), browser tests
#              (Ganache :8585), slither gate
#   postgres   the backend suite again on PostgreSQL
#   bots-pg    the bots' replica, kill -9 and node-restart scenarios on PostgreSQL (Ganache :8615-8635)
#   frontend   Vitest unit tests of the web UI
#   api-fuzz   schemathesis over /openapi.json
#
# The contracts are compiled once before anything starts, so parallel brownie processes never
# write build/ at the same time.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH" PYTHONWARNINGS=ignore::FutureWarning

LOGS=.toolchain/test-logs
rm -rf "$LOGS" && mkdir -p "$LOGS"
.venv/bin/brownie compile >"$LOGS/compile.log" 2>&1 || { cat "$LOGS/compile.log"; exit 1; }

# `make test` has just run the set-up: suites must not run it again in parallel (npm ci would
# empty node_modules under the others), so it is taken as up to date.
suite() { make --no-print-directory --old-file=setup "$@"; }
# The Foundry campaigns have a time budget (>= 100,000 calls in under 4 minutes); the other suites
# only have to finish. At equal priority on a 2-core machine forge would get about a third of the
# CPU, so the others run niced (their chains and browsers inherit it).
niced() { nice -n 10 make --no-print-directory --old-file=setup "$@"; }

run() {  # run NAME COMMAND...: the suite's output goes to its log, its exit code to NAME.rc
  local name=$1; shift
  local start=$SECONDS
  "$@" >"$LOGS/$name.log" 2>&1
  echo $? >"$LOGS/$name.rc"
  echo "$name: finished in $((SECONDS - start)) s (exit $(cat "$LOGS/$name.rc"))"
}

run contracts niced test-contracts &
run forge suite test-forge &
{
  run python niced test-python
  run postgres niced test-backend-pg
  run bots-pg niced test-bots-pg
  run frontend niced test-frontend
  run api-fuzz niced test-api-fuzz
} &
wait

passed=0 failed=0
for rc in "$LOGS"/*.rc; do
  name=$(basename "$rc" .rc)
  echo
  echo "======================================================================== $name"
  cat "$LOGS/$name.log"
  if [ "$(cat "$rc")" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo
for rc in "$LOGS"/*.rc; do echo "  $(basename "$rc" .rc): exit $(cat "$rc")"; done
echo "suites: $passed passed, $failed failed"
[ "$failed" = 0 ]
