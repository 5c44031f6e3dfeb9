#!/usr/bin/env bash
# Runs the hub's protocol suite (crates/hub/tests/protocol.rs) against a real PostgreSQL server that this
# script starts and stops itself: Debian's `postgresql` package (installed if missing), a private data
# directory, a free port on 127.0.0.1, trust authentication for that address only. Nothing is left
# running: the server is stopped on every exit, failures included.
#   bash scripts/hub-postgres.sh [extra cargo test arguments]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "hub-postgres: installing Debian's postgresql"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
BIN="$(pg_bin)"

# PostgreSQL refuses to run as root: as root, the server runs as the package's `postgres` user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
PG_USER="$(if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi)"

DATA="$(mktemp -d /tmp/liaison-hub-pg.XXXXXX)"
chmod 700 "$DATA"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$DATA"; fi

# A free port, chosen by the kernel.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

stop() {
  as_pg "$BIN/pg_ctl" -D "$DATA/db" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap stop EXIT

as_pg "$BIN/initdb" -D "$DATA/db" -U "$PG_USER" -A trust --locale=C.UTF-8 -E UTF8 >/dev/null
as_pg "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/db/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=on -c max_connections=200" start >/dev/null
echo "hub-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $DATA)"

HUB_TEST_POSTGRES="postgres://$PG_USER@127.0.0.1:$PORT/postgres" \
  cargo test -p liaison-hub --test protocol "$@"
