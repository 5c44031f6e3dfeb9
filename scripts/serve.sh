#!/usr/bin/env bash
# Liaison with its team hub, from one command: builds the release app (installable, offline, with its
# service worker) and the `liaison` tool, then runs `liaison hub serve --app dist` on SQLite, so that
# officers open the app and sync with the hub from the same origin. Installs whatever is missing first
# (scripts/setup.sh).
#
#   scripts/serve.sh                       the app and a hub on http://127.0.0.1:8090, hub data in ./liaison-hub.sqlite
#   scripts/serve.sh --db PATH_OR_URL      another database (a postgres:// URL selects PostgreSQL)
#   scripts/serve.sh --listen ADDR         another address, e.g. 0.0.0.0:8090 behind a TLS proxy
#   scripts/serve.sh --dev [trunk args]    the development server instead: a debug build on
#                                          http://127.0.0.1:8080 that rebuilds when sources change, no
#                                          service worker and no hub (reload by hand: the strict CSP
#                                          blocks trunk's inline live-reload script)
set -euo pipefail

START="$PWD"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh

# The npm wasm-opt (binaryen 132) must come before any other wasm-opt.
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

if [ "${1:-}" = "--dev" ]; then
  shift
  echo "serve: development build on http://127.0.0.1:8080 (no team hub)"
  exec trunk serve --offline --address 127.0.0.1 --port 8080 "$@"
fi

# The hub's data stays where the command was started, as `liaison hub serve` does by default.
DB="$START/liaison-hub.sqlite"
LISTEN="127.0.0.1:8090"
while [ $# -gt 0 ]; do
  case "$1" in
    --db) DB="$2"; shift 2 ;;
    --listen) LISTEN="$2"; shift 2 ;;
    *) echo "serve: unknown option $1 (see the top of scripts/serve.sh)" >&2; exit 2 ;;
  esac
done

echo "serve: building the release app into dist/"
trunk build --release --offline
echo "serve: building the liaison tool"
cargo build --release -p liaison-cli
BIN="$ROOT/target/release/liaison"

cat <<MSG
serve: the app and its team hub on http://$LISTEN (hub data: $DB)
serve: to let an officer join, make an enrolment code in another terminal:
         $BIN hub invite --db "$DB" --team north --officer "Anna Berg" --hub-url http://$LISTEN
       and send them the code or the link it prints; they open it, or type the code in Settings → Team hub.
MSG
exec "$BIN" hub serve --app "$ROOT/dist" --db "$DB" --listen "$LISTEN"
