#!/usr/bin/env bash
# Run a command with LENDCHAIN_TEST_DATABASE_URL pointing at a PostgreSQL server:
#   toolchain/postgres_for_tests.sh .venv/bin/python -m pytest tests/backend ...
# Uses the development server on 127.0.0.1:5432 (trust auth, user postgres, database `test`) when
# it answers; otherwise starts a throwaway cluster from Debian's `postgresql` package (installed
# with apt-get when missing and running as root) in a temporary directory on a free port, as an
# unprivileged user (PostgreSQL refuses to run as root), and removes it when the command ends.
# LENDCHAIN_PG_THROWAWAY=1 forces the throwaway cluster even when 5432 answers.
# The tests create their own database on that server for every session and drop it afterwards.
set -euo pipefail

if [ -n "${LENDCHAIN_TEST_DATABASE_URL:-}" ]; then exec "$@"; fi

answers() { python3 - "$1" <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

if [ -z "${LENDCHAIN_PG_THROWAWAY:-}" ] && answers 5432 && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export LENDCHAIN_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
  exec "$@"
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ]; then
  if [ "$(id -u)" != 0 ]; then echo "PostgreSQL is not installed: apt-get install postgresql (as root)" >&2; exit 1; fi
  echo "installing Debian's postgresql package for the tests" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
workdir=$(mktemp -d /tmp/lendchain-pg.XXXXXX)
run_as=()
if [ "$(id -u)" = 0 ]; then
  id -u lendchain-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin lendchain-pg
  chown lendchain-pg "$workdir"
  run_as=(runuser -u lendchain-pg --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
"${run_as[@]}" "$bindir/initdb" -D "$workdir/data" -U postgres --auth=trust -E UTF8 >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/log" -w \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "throwaway PostgreSQL on 127.0.0.1:$port ($workdir)" >&2
export LENDCHAIN_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
"$@"
