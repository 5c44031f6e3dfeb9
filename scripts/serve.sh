#!/usr/bin/env bash
# Builds Liaison (a development build) and serves it on http://127.0.0.1:8080.
# Installs whatever is missing first (scripts/setup.sh). Rebuilds when sources change;
# reload the page by hand (the strict CSP blocks trunk's inline live-reload script).
# A development build registers no service worker, so every reload shows the latest code. To try the
# installed, offline app, serve a release build instead:
#   trunk build --release --offline && node tests/e2e/server.mjs dist 8081
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh

# The npm wasm-opt (binaryen 132) must come before any other wasm-opt.
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
echo "serve: http://127.0.0.1:8080"
exec trunk serve --offline --address 127.0.0.1 --port 8080 "$@"
