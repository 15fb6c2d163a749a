#!/usr/bin/env bash
# Build the web UI (frontend/ -> frontend/dist, served by Flask) from npm packages under
# frontend/package-lock.json. Idempotent: installs only when the lock changed, builds only when a
# source file is newer than the last build. Needs node (>= 20.19) with npm; nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/../frontend"

if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-lock
fi
stamp=dist/index.html
if [ -f "$stamp" ] && [ -z "$(find src index.html vite.config.ts tsconfig.json package-lock.json -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
npx vite build --logLevel warn
