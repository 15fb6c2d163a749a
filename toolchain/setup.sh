#!/usr/bin/env bash
# Set up everything the project needs, from the package registries only (idempotent):
#   Python virtual environment from requirements.lock, Node packages from package-lock.json,
#   the npm solc front-end registered with py-solc-x, the local chains registered with brownie.
# Needs: python3 (3.11) with venv, node (>= 18) with npm. Nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! cmp -s requirements.lock .venv/.installed-lock 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  cp requirements.lock .venv/.installed-lock
fi
# npm's own node_modules/.package-lock.json differs from the lock file in format, so compare with a
# copy kept after the last successful install.
if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-lock
fi
# forge (the Foundry invariant suite, tests/foundry/) and anvil (the faster local node the bot
# benchmark also measures on) are the binaries shipped in the npm packages @foundry-rs/<tool>-<os>-<arch>,
# optional dependencies of @foundry-rs/<tool> installed from the lock file (nothing is downloaded at
# run time); forge compiles through toolchain/forge-solc. Check both run.
for tool in forge anvil; do
  if ! "node_modules/.bin/$tool" --version >/dev/null 2>&1; then
    echo "setup: node_modules/.bin/$tool does not run: is @foundry-rs/$tool's platform package installed" \
      "(npm ci without --omit=optional)?" >&2
    exit 1
  fi
done
.venv/bin/python -m toolchain.register_solc
.venv/bin/python -m toolchain.local_chain
# The default credit model, trained from registry-shipped data (a few seconds) if absent.
.venv/bin/python -m scoring ensure-default
./toolchain/frontend_setup.sh
