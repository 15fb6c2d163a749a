#!/usr/bin/env bash
# The API fuzz run (make test-api-fuzz): schemathesis in its own virtual environment (it needs
# hypothesis >= 6.130, eth-brownie pins 6.27.3), against a live app on loopback, over /openapi.json;
# fails on any 5xx (or a response that breaks the documented schema for its status).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv-schemathesis
LOCK=toolchain/schemathesis/requirements.lock
PORT=${LENDCHAIN_FUZZ_PORT:-8593}
if ! cmp -s "$LOCK" "$VENV/.installed-lock" 2>/dev/null; then
  python3.11 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$LOCK"
  cp "$LOCK" "$VENV/.installed-lock"
fi
.venv/bin/python -m toolchain.schemathesis.serve "$PORT" > "${TMPDIR:-/tmp}/lendchain-fuzz-server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 0.2
done
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.json" --checks not_a_server_error \
  --hypothesis-max-examples "${FUZZ_EXAMPLES:-40}" --hypothesis-seed 1 --hypothesis-derandomize \
  --exclude-path-regex '^/$|^/assets' "$@"
