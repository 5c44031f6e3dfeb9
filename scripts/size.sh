#!/usr/bin/env bash
# Prints a markdown table of the sizes of what the built app transfers (dist/*.wasm, *.js, *.css, *.html):
# raw, gzip -9 and brotli -q 11, in bytes and KB (1 KB = 1024 bytes).
#   scripts/size.sh [--budget] [DIST_DIR]     (default: dist)
# With --budget it fails when the brotli total is over BUDGET_BROTLI, and names the biggest contributors.
set -euo pipefail

# The brotli bytes the app may transfer. The goal is 150 KB (docs/size.md); until it is reached the budget
# is what has landed, so that size can only go down. Lower it with every change that shrinks the app.
BUDGET_BROTLI=806000

budget=false
if [ "${1:-}" = "--budget" ]; then
  budget=true
  shift
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${1:-$ROOT/dist}"

shopt -s nullglob
files=("$DIST"/*.wasm "$DIST"/*.js "$DIST"/*.css "$DIST"/*.html)
if [ ${#files[@]} -eq 0 ]; then
  echo "size: no .wasm, .js, .css or .html files in $DIST (run trunk build --release --offline first)" >&2
  exit 1
fi
command -v brotli >/dev/null 2>&1 || { echo "size: brotli is missing (scripts/setup.sh installs it)" >&2; exit 1; }

kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
row() { printf '| %s | %s | %s KB | %s | %s KB | %s | %s KB |\n' "$1" "$2" "$(kb "$2")" "$3" "$(kb "$3")" "$4" "$(kb "$4")"; }

echo "| file | raw bytes | raw | gzip -9 bytes | gzip -9 | brotli -q 11 bytes | brotli -q 11 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
total_raw=0 total_gz=0 total_br=0
for f in "${files[@]}"; do
  raw=$(wc -c < "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  row "$(basename "$f")" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
done
row "**total**" "$total_raw" "$total_gz" "$total_br"

if $budget; then
  if [ "$total_br" -gt "$BUDGET_BROTLI" ]; then
    echo
    echo "size: the app transfers $total_br bytes brotli ($(kb "$total_br") KB), over its budget of $BUDGET_BROTLI bytes ($(kb "$BUDGET_BROTLI") KB) in scripts/size.sh." >&2
    echo "size: the biggest contributors to the wasm, before wasm-opt (python3 scripts/wasm_report.py):" >&2
    if command -v twiggy >/dev/null 2>&1; then
      python3 "$ROOT/scripts/wasm_report.py" --top 15 >&2 || true
    else
      echo "size: (twiggy is missing: cargo install twiggy --locked, then python3 scripts/wasm_report.py)" >&2
    fi
    exit 1
  fi
  echo
  echo "size: $total_br bytes brotli ($(kb "$total_br") KB), within the budget of $BUDGET_BROTLI bytes ($(kb "$BUDGET_BROTLI") KB)"
fi
