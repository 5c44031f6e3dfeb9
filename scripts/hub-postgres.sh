#!/usr/bin/env bash
# Runs the hub's protocol suite (crates/hub/tests/protocol.rs), `liaison hub serve` end to end, and two
# `liaison hub serve` processes on one database, against a real PostgreSQL server that this script starts
# and stops itself: Debian's `postgresql` package (installed if missing), a private data
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

# `liaison hub serve --db postgres://…` end to end: invite, serve, enrol, push, pull, on its own database.
cargo build -q -p liaison-cli
LIAISON="$ROOT/target/debug/liaison"
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" liaison_cli_check
DB="postgres://$PG_USER@127.0.0.1:$PORT/liaison_cli_check"
code="$("$LIAISON" hub invite --db "$DB" --team north --officer "Cai Nor" --role coordinator | head -n 1)"
"$LIAISON" hub serve --db "$DB" --listen 127.0.0.1:0 >"$DATA/serve.out" 2>"$DATA/serve.log" &
serve_pid=$!
for _ in $(seq 1 100); do grep -q '^listening on ' "$DATA/serve.out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^listening on //p' "$DATA/serve.out")"
fixtures="$ROOT/crates/core/tests/fixtures"
ok=1
"$LIAISON" enrol --hub "$url" "$code" --token-file "$DATA/hub.token" &&
  "$LIAISON" push "$fixtures/v3-all-one-officer.json" "$fixtures/v3-changes.json" --token-file "$DATA/hub.token" &&
  "$LIAISON" pull --token-file "$DATA/hub.token" -o "$DATA/team.json" &&
  "$LIAISON" validate "$DATA/team.json" || ok=0
kill -TERM "$serve_pid"
wait "$serve_pid" || ok=0
if [ "$ok" -ne 1 ]; then
  echo "hub-postgres: liaison hub serve on PostgreSQL failed" >&2
  exit 1
fi
echo "hub-postgres: liaison hub serve --db postgres://… enrolled, pushed, pulled and stopped cleanly"

# Two `liaison hub serve` processes with nothing shared but one database, the client alternating between
# them: what is pushed through one is pulled through the other, and both give the same merged picture.
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" liaison_two_hubs
DB2="postgres://$PG_USER@127.0.0.1:$PORT/liaison_two_hubs"
code="$("$LIAISON" hub invite --db "$DB2" --team east --officer "Dag Ul" --role coordinator | head -n 1)"
urls=()
pids=()
for n in a b; do
  "$LIAISON" hub serve --db "$DB2" --listen 127.0.0.1:0 >"$DATA/serve-$n.out" 2>"$DATA/serve-$n.log" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '^listening on ' "$DATA/serve-$n.out" 2>/dev/null && break; sleep 0.1; done
  urls+=("$(sed -n 's/^listening on //p' "$DATA/serve-$n.out")")
done
records() { python3 -c 'import json,sys; print(json.dumps(sorted(json.load(open(sys.argv[1]))["records"], key=lambda r: r["id"]), sort_keys=True))' "$1"; }
ok=1
"$LIAISON" enrol --hub "${urls[0]}" "$code" --token-file "$DATA/two.token" &&
  "$LIAISON" push "$fixtures/v3-all-one-officer.json" --hub "${urls[0]}" --token-file "$DATA/two.token" &&
  "$LIAISON" push "$fixtures/v3-changes.json" --hub "${urls[1]}" --token-file "$DATA/two.token" &&
  "$LIAISON" pull --hub "${urls[0]}" --token-file "$DATA/two.token" -o "$DATA/two-a.json" &&
  "$LIAISON" pull --hub "${urls[1]}" --token-file "$DATA/two.token" -o "$DATA/two-b.json" &&
  "$LIAISON" merge "$fixtures/v3-all-one-officer.json" "$fixtures/v3-changes.json" -o "$DATA/two-merged.json" || ok=0
for pid in "${pids[@]}"; do
  kill -TERM "$pid"
  wait "$pid" || ok=0
done
if [ "$ok" -ne 1 ] || [ "$(records "$DATA/two-a.json")" != "$(records "$DATA/two-b.json")" ] ||
  [ "$(records "$DATA/two-a.json")" != "$(records "$DATA/two-merged.json")" ]; then
  echo "hub-postgres: two hub processes on one PostgreSQL did not give the same merged picture" >&2
  exit 1
fi
echo "hub-postgres: two liaison hub serve processes on one PostgreSQL gave the same merged picture"
