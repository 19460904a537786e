#!/usr/bin/env bash
# Runs two relief binaries on the same inputs and compares every output byte for byte: the
# guard for refactors and speed work that must not change a single figure or file.
#
#   scripts/same-outputs.sh OLD_BINARY NEW_BINARY [WORKDIR]
#
# Inputs: the bundled sample-data/, a clean generated set (long layout, several files), and
# the messy generated set of `relief sample`. Outputs compared: every file `report` writes
# (whole range and --by-month), the JSON of `report --json`, and what `validate` prints
# (text and --json) with its exit status. Exits 1 and lists the differing files on any
# difference.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2")
work=${3:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work/in"
export RELIEF_KEY_FILE="$work/key"
[ -f "$RELIEF_KEY_FILE" ] || printf '%s' 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef > "$RELIEF_KEY_FILE"
cp -r "$root/sample-data" "$work/in/sample"
rm -f "$work/in/sample/README.md"
"$old" -q sample --out "$work/in/messy" --seed 7 >/dev/null
"$old" -q sample --clean --sessions 3000 --files 3 --out "$work/in/clean" --seed 11 >/dev/null
run() { # run BIN TAG — inside $work/TAG, so paths in messages and reports are the same
  local bin=$1 out="$work/$2"
  rm -rf "$out"; mkdir -p "$out"
  (cd "$out" && for set in sample messy clean; do
    "$bin" report "../in/$set" --out "$set-range" --json > "$set-range.json" 2> "$set-range.err" || echo "exit $?" >> "$set-range.err"
    "$bin" report "../in/$set" --by-month --out "$set-months" > "$set-months.out" 2> "$set-months.err" || echo "exit $?" >> "$set-months.err"
    "$bin" validate "../in/$set" > "$set-validate.txt" 2>&1 || echo "exit $?" >> "$set-validate.txt"
    "$bin" validate "../in/$set" --json > "$set-validate.json" 2>&1 || echo "exit $?" >> "$set-validate.json"
  done)
}
run "$old" old
run "$new" new
if diff -r -q "$work/old" "$work/new"; then
  echo "same outputs: every file identical ($(find "$work/new" -type f | wc -l) files) in $work"
else
  echo "outputs differ (see above); trees in $work/old and $work/new" >&2
  exit 1
fi
