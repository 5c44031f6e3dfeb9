#!/usr/bin/env bash
# The team merge benchmark (docs/bench-team.md): liaison merge of the 20 v3 team bundles beside a bare
# serde_json::Value parse of the same bytes, Liaison's read + validate of them, the same for the v1 files,
# and Automerge 0.12's load + merge + save of the same records, each RUNS times (default 3), as a median
# table of wall time and peak memory (/usr/bin/time). Long: not part of scripts/test.sh.
#
#   bench/team.sh [DIR] [RUNS]        # DIR defaults to /tmp/liaison-team
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-/tmp/liaison-team}"
RUNS="${2:-3}"
cargo build --release -p liaison-cli --bin liaison --example bench_bundles --example bench_read
(cd bench/automerge-team && cargo build --release)
[ -d "$DIR/v3" ] || target/release/examples/bench_bundles "$DIR" --shape team
[ -d "$DIR/am" ] || bench/automerge-team/target/release/automerge-team write "$DIR/am"

measure() { # name, output file or -, command...
  local name="$1" out="$2"; shift 2
  local times=() mems=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$DIR/time.txt" "$@" > /dev/null
    read -r t m < "$DIR/time.txt"
    times+=("$t"); mems+=("$m")
  done
  local tm mm size="-"
  tm=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mm=$(printf '%s\n' "${mems[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  [ "$out" != - ] && size=$(stat -c %s "$out")
  printf '| %s | %s s | %d MB | %s | %s |\n' "$name" "$tm" $((mm / 1024)) "$size" "${times[*]}"
}

echo "| run | median wall | peak RSS | output bytes | runs (s) |"
echo "| --- | --- | --- | --- | --- |"
measure "liaison merge (v3 input)" "$DIR/merged.json" target/release/liaison merge "$DIR"/v3/*.json -o "$DIR/merged.json"
measure "bare serde_json::Value parse (v3)" - target/release/examples/bench_read value "$DIR"/v3/*.json
measure "read + validate (v3)" - target/release/examples/bench_read read "$DIR"/v3/*.json
measure "bare serde_json::Value parse (v1)" - target/release/examples/bench_read value "$DIR"/v1/*.json
measure "read + validate (v1)" - target/release/examples/bench_read read "$DIR"/v1/*.json
measure "Automerge 0.12 load + merge + save" "$DIR/merged.automerge" \
  bench/automerge-team/target/release/automerge-team merge "$DIR/merged.automerge" "$DIR"/am/*.automerge
