#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests and prints its DSN.
#
#   export NEWSFLOW_PG_DSN=$(scripts/pg.sh)      # start (or reuse) and print the DSN
#   scripts/pg.sh stop                           # stop it
#
# Installs Debian's postgresql package when it is missing (needs root and
# apt-get), initialises a cluster in $NEWSFLOW_PG_DIR (default
# ${TMPDIR:-/tmp}/newsflow-pg) owned by the postgres user, starts it
# listening on a unix socket in that directory only (no TCP port), and
# creates the database "newsflow". Logs go to stderr; only the DSN goes to
# stdout.
set -euo pipefail
dir=${NEWSFLOW_PG_DIR:-${TMPDIR:-/tmp}/newsflow-pg}
db=newsflow
log() { echo "pg.sh: $*" >&2; }

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; fi
  done | sort -V | tail -n1
}

bin=$(find_bin)
if [ -z "$bin" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is not installed and I cannot install it (need root and apt-get)"
    exit 1
  fi
  log "installing postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  bin=$(find_bin)
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = stop ]; then
  if [ -f "$dir/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2; fi
  exit 0
fi

if [ ! -f "$dir/data/PG_VERSION" ]; then
  log "initialising a cluster in $dir/data"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  chmod 0755 "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >&2
fi

if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  log "starting on the unix socket in $dir"
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" start >&2
fi

if ! as_pg "$bin/psql" -h "$dir" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  as_pg "$bin/createdb" -h "$dir" -U postgres "$db" >&2
fi
echo "postgres://postgres@/$db?host=$dir&sslmode=disable"
