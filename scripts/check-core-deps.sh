#!/usr/bin/env bash
# Invariant 1: liaison-core never depends on a web crate. Fails if its normal or build
# dependency tree (for any target) names leptos, web-sys, js-sys, wasm-bindgen or gloo (dev-dependencies are ignored).
#   scripts/check-core-deps.sh            checks `cargo tree -p liaison-core`
#   scripts/check-core-deps.sh FILE|-     checks a saved cargo tree output instead (for testing the check)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ $# -ge 1 ]; then
  tree="$(cat "$1")"
else
  # --target all: a dependency that only the wasm32 build pulls in counts too.
  if ! tree="$(cargo tree -p liaison-core --edges normal,build --target all --prefix none --format '{p}')"; then
    echo "check-core-deps: FAIL: cargo tree -p liaison-core did not run" >&2
    exit 1
  fi
fi

# A crate line starts with the crate name (with --prefix none), or follows tree drawing characters.
bad="$(printf '%s\n' "$tree" \
  | sed -E -e 's/^[^[:alnum:]_-]*//' -e 's/ \(\*\)$//' \
  | grep -E '^(leptos[[:alnum:]_-]*|web-sys|js-sys|wasm-bindgen[[:alnum:]_-]*|gloo[[:alnum:]_-]*) v' \
  | sort -u || true)"

if [ -n "$bad" ]; then
  echo "check-core-deps: FAIL: liaison-core must stay pure Rust, but its dependency tree contains web crates:" >&2
  printf '%s\n' "$bad" | sed 's/^/  /' >&2
  echo "check-core-deps: move the code that needs them into the app (src/platform/) or remove the dependency." >&2
  exit 1
fi
echo "check-core-deps: ok: liaison-core depends on no leptos, web-sys, js-sys, wasm-bindgen or gloo crate"
