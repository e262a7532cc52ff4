#!/usr/bin/env bash
# Runs fuzz targets for a bounded time each: fuzz/run.sh SECONDS [TARGET...]
# (all targets when none is named). Seeds in fuzz/seeds/TARGET are copied to
# fuzz/corpus/TARGET (ignored by git) so the repo's seeds stay small.
# Needs cargo-fuzz; uses the nightly toolchain with AddressSanitizer when it is
# installed, else stable with RUSTC_BOOTSTRAP and no sanitizer.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}; shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz run)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz run --sanitizer none)
fi
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  [ -d "seeds/$t" ] && cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "--- fuzz $t for ${secs}s"
  rc=0
  "${fuzz[@]}" "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=65536 >"corpus/$t.log" 2>&1 || rc=$?
  grep -E '^Done|SUMMARY|panicked|ERROR' "corpus/$t.log" || true
  if [ $rc -ne 0 ]; then
    tail -40 "corpus/$t.log"
    echo "fuzz $t failed (exit $rc); crash inputs, if any, are in fuzz/artifacts/$t"
    exit 1
  fi
done
