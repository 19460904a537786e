#!/usr/bin/env bash
# bench/run.sh — what relief costs beside a bare calamine pass over the same files, at three
# sizes, in one sitting (the machine's speed drifts between sittings: read the ratios).
#
# For each size it generates clean long-layout exports with `relief sample --clean` (kept in
# $DATA_ROOT between runs), then:
#   - hyperfine: bare calamine pass, the columnar floor (the bare pass plus keeping every cell as
#     compact columns and dropping equal rows, `crates/ingest/examples/columnar_floor.rs`),
#     `relief validate`, `relief report`, `relief report --by-month` (wall time and the ratio to
#     the bare pass, in one hyperfine call per size);
#   - /usr/bin/time -v: CPU seconds and peak RSS of each command (one run each);
#   - RELIEF_TIMINGS=1: the time of each stage of `relief report` (read, prepare, figures, each
#     writer), printed by relief itself on standard error.
# Sizes are multiples of the issue's baseline (40 files, ~800k session × region rows):
# SIZES="1 4 25" by default; 25× is ~20 M rows (~1 GB of xlsx, generated once, ~15 min).
#
# Settings (environment): SIZES, RUNS (hyperfine runs, default 3), DATA_ROOT (default
# /tmp/relief-bench), CARGO_TARGET_DIR. Needs hyperfine and GNU time (apt-get install hyperfine time).
# Usage: bench/run.sh > bench/results-$(date +%F).md
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-"1 4 25"}
RUNS=${RUNS:-3}
DATA_ROOT=${DATA_ROOT:-/tmp/relief-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for tool in hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y hyperfine time" >&2; exit 1; }
done

cd "$ROOT"
cargo build --release --quiet --bin relief
cargo build --release --quiet -p relief-ingest --example bare_calamine --example columnar_floor
RELIEF=$TARGET/release/relief
BARE=$TARGET/release/examples/bare_calamine
FLOOR=$TARGET/release/examples/columnar_floor
export RELIEF_KEY_FILE=$WORK/key
printf '%s' 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef > "$RELIEF_KEY_FILE"

echo "# relief bench — $(date -u +%FT%TZ)"
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr); relief $(git -C "$ROOT" rev-parse --short HEAD)"
for size in $SIZES; do
    sessions=$((231000 * size)); files=$((40 * size))
    data=$DATA_ROOT/x$size
    if [ ! -d "$data" ]; then
        rm -rf "$data.tmp"
        "$RELIEF" -q sample --clean --sessions "$sessions" --files "$files" --out "$data.tmp" >&2
        mv "$data.tmp" "$data"
    fi
    rows=$("$BARE" "$data" | awk '{print $3}')
    echo
    echo "## ${size}× — $(ls "$data" | wc -l) files, $(du -sh "$data" | cut -f1), $rows cells"
    echo
    declare -A cmd=(
        [bare]="$BARE $data"
        [floor]="$FLOOR $data"
        [validate]="$RELIEF -q validate $data"
        [report]="$RELIEF -q report $data --out $WORK/r"
        [by-month]="$RELIEF -q report $data --by-month --out $WORK/m"
    )
    hyperfine --style none --warmup 1 --runs "$RUNS" -i --export-markdown "$WORK/h.md" \
        -n bare "${cmd[bare]}" -n floor "${cmd[floor]}" -n validate "${cmd[validate]}" \
        -n report "${cmd[report]}" -n by-month "${cmd[by-month]}" >/dev/null
    cat "$WORK/h.md"
    echo
    echo "| command | wall s | CPU s (user+sys) | peak RSS MiB |"
    echo "|---|---:|---:|---:|"
    for name in bare floor validate report by-month; do
        /usr/bin/time -v ${cmd[$name]} > /dev/null 2> "$WORK/t" || true
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$WORK/t")
        cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.2f", u+s}' "$WORK/t")
        rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$WORK/t")
        echo "| $name | $wall | $cpu | $rss |"
    done
    echo
    echo "stages of \`relief report\` (RELIEF_TIMINGS=1):"
    echo
    echo '```'
    RELIEF_TIMINGS=1 $RELIEF -q report "$data" --out "$WORK/s" 2>&1 >/dev/null | grep '^timing' || true
    echo '```'
done
