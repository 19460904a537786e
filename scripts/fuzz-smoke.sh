#!/usr/bin/env bash
# A short coverage-guided fuzz run of every reader, one target after another: the smoke test of
# the fuzz targets in fuzz/ (see fuzz/README.md). Not part of CI. Needs the nightly toolchain
# and cargo-fuzz (`cargo install cargo-fuzz`); without nightly it says so and does nothing.
#
#   scripts/fuzz-smoke.sh                 # 60 s per target, every target
#   scripts/fuzz-smoke.sh 600 ods xlsx    # 10 minutes each, these targets
#
# Runs at low priority, one target at a time. A crash, hang (20 s) or memory blow-up (512 MB)
# stops the run with libFuzzer's report and leaves the input in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(csv xls xlsx xlsb ods vocabulary config)
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz-smoke: the nightly toolchain is not installed; nothing to do"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: cargo-fuzz is missing: cargo install cargo-fuzz" >&2
  exit 1
fi

# No sanitizer: the code is safe Rust, and AddressSanitizer's own memory would blur the 512 MB
# limit, which is what the memory findings are measured against.
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  echo "== fuzz $target for ${seconds}s"
  nice -n 15 cargo +nightly fuzz run --sanitizer none "$target" \
    "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -rss_limit_mb=512 -timeout=20 -max_total_time="$seconds" -print_final_stats=1
done
