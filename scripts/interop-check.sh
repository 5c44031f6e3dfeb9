#!/usr/bin/env bash
# Interop check: Liaison's vCard, iCalendar and CSV exports, read back by parsers nobody here wrote.
#
#   1. A Python virtual environment in target/interop-venv with vobject (vCard) and icalendar
#      (iCalendar), pinned; made once, reused on later runs (nothing is downloaded then).
#   2. The CLI (`cargo run -p liaison-cli -- convert`, the app's export code) converts golden bundles
#      to .vcf, .ics and CSV (plain and --excel, everything and --max-marking open) in target/interop/,
#      and `import-vcf` turns each .vcf back into a bundle.
#   3. scripts/interop_check.py reads every file with vobject, icalendar and Python's csv module and
#      compares names (any script), dates, times and UIDs with the bundle, which it reads itself.
#
# Prints `interop: N passed, M failed` last; exits non-zero on any mismatch. Safe to run again: the
# outputs are made afresh each time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="target/interop-venv"
VOBJECT="vobject==0.9.9"
ICALENDAR="icalendar==7.3.2"
OUT="target/interop"
BUNDLES=(
  crates/core/tests/fixtures/v1-all-one-officer.json
  crates/core/tests/interop_fixtures/tricky-bundle.json
)

have_packages() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$VOBJECT" "$ICALENDAR" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    if version(name) != wanted:
        sys.exit(1)
EOF
}

if ! have_packages; then
  echo "interop: making $VENV with $VOBJECT and $ICALENDAR"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$VOBJECT" "$ICALENDAR"
fi

cargo build --quiet -p liaison-cli
liaison() { cargo run --quiet -p liaison-cli -- "$@" >/dev/null; }

rm -rf "$OUT"
mkdir -p "$OUT"
args=()
for bundle in "${BUNDLES[@]}"; do
  name="$(basename "$bundle" .json)"
  liaison convert "$bundle" --to vcf -o "$OUT/$name.vcf"
  liaison convert "$bundle" --to ics -o "$OUT/$name.ics"
  liaison convert "$bundle" --to csv -o "$OUT/$name-csv"
  liaison convert "$bundle" --to csv -o "$OUT/$name-excel" --excel
  liaison convert "$bundle" --to vcf -o "$OUT/$name-open.vcf" --max-marking open
  liaison convert "$bundle" --to ics -o "$OUT/$name-open.ics" --max-marking open
  liaison import-vcf "$OUT/$name.vcf" -o "$OUT/$name-from-vcf.json"
  args+=("$name=$bundle")
done

"$VENV/bin/python" scripts/interop_check.py "$OUT" "${args[@]}"
