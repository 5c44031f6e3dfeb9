#!/usr/bin/env bash
# Prints a markdown table of the sizes of the built app (dist/*.wasm and dist/*.js):
# raw, gzip -9 and brotli -q 11, in bytes and KB (1 KB = 1024 bytes).
#   scripts/size.sh [DIST_DIR]     (default: dist)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${1:-$ROOT/dist}"

shopt -s nullglob
files=("$DIST"/*.wasm "$DIST"/*.js)
if [ ${#files[@]} -eq 0 ]; then
  echo "size: no .wasm or .js files in $DIST (run trunk build --release --offline first)" >&2
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
