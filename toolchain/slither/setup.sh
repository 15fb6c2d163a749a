#!/usr/bin/env bash
# Create or refresh .venv-slither (slither-analyzer for `python -m toolchain.slither.run`) from
# toolchain/slither/requirements.lock. Idempotent: a copy of the lock inside the venv marks what is
# installed, so a changed lock reinstalls and an unchanged one costs nothing. A separate venv
# because slither's dependency pins clash with eth-brownie's (.venv is not touched).
# Needs: python3 (3.11) with venv; packages come from PyPI only.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.venv-slither
LOCK=toolchain/slither/requirements.lock

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! cmp -s "$LOCK" "$VENV/.installed-lock" 2>/dev/null || [ ! -x "$VENV/bin/slither" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$LOCK"
  cp "$LOCK" "$VENV/.installed-lock"
fi
