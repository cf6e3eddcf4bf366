#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster started in a temporary folder.
# The cluster's admin URL is given to the command as AVIS_TEST_PG_URL; it is stopped and
# removed afterwards, whatever the command's outcome.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: no PostgreSQL binaries in $PGBIN" >&2
  exit 3
fi
dir=$(mktemp -d /tmp/avis-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$dir/data" -A trust -U avis -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -w -l "$dir/log" \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
export AVIS_TEST_PG_URL="postgresql+psycopg://avis@127.0.0.1:$port/postgres"
export AVIS_TEST_PG_DIR="$dir"
export AVIS_TEST_PG_PORT="$port"
echo "with-postgres: PostgreSQL on 127.0.0.1:$port"
"$@"
