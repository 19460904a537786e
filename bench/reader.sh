#!/usr/bin/env bash
# bench/reader.sh — how far relief's reader is from a bare calamine pass over the same files.
#
# Generates clean long-layout sample exports with `relief sample --clean`, then times with
# hyperfine, all release builds:
#   (a) bare_calamine   every sheet read with calamine and its numbers summed, nothing else
#                       (crates/ingest/examples/bare_calamine.rs; files in parallel, as relief)
#   (b) relief validate the reader: header search, values, pseudonyms, rejects, duplicates
#   (c) relief report   the whole pipeline: reader, analysis, Excel workbook, charts, JSON
# The later issue's goal is (c) within 25 % of (a).
#
# Settings (environment): SESSIONS (default 200000), FILES (8), RUNS (5), DATA (the folder for
# the generated files, kept between runs), CARGO_TARGET_DIR (where cargo builds).
# Usage: bench/reader.sh            (from anywhere; needs hyperfine: apt-get install hyperfine)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SESSIONS=${SESSIONS:-200000}
FILES=${FILES:-8}
RUNS=${RUNS:-5}
DATA=${DATA:-${TMPDIR:-/tmp}/relief-bench-${SESSIONS}x${FILES}}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }

cd "$ROOT"
cargo build --release --quiet --bin relief
cargo build --release --quiet -p relief-ingest --example bare_calamine
RELIEF=$TARGET/release/relief
BARE=$TARGET/release/examples/bare_calamine

if [ ! -d "$DATA" ]; then
    "$RELIEF" --quiet sample --out "$DATA" --clean --sessions "$SESSIONS" --files "$FILES"
fi
echo "data: $DATA ($(du -sh "$DATA" | cut -f1), $(ls "$DATA" | wc -l) files)"
"$BARE" "$DATA"

hyperfine --warmup 1 --runs "$RUNS" \
    --export-markdown "$OUT/results.md" \
    -n "bare calamine" "$BARE $DATA" \
    -n "relief validate" "$RELIEF --quiet validate $DATA" \
    -n "relief report" "$RELIEF --quiet report $DATA --out $OUT/report"
cat "$OUT/results.md"
