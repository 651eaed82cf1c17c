#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz (clang-14, ASan, UBSan) and
# runs each for SECONDS (default 30) on a scratch copy of its seed corpus,
# under build-fuzz/fuzz/<target>/, one target per core at a time. Prints
# one line per target, or for a crash the log's tail and the crashing
# input's path, and then exits 1. `./tether.sh fuzz` installs clang-14 and
# libfuzzer-14-dev first. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-30}
DIR=${TETHER_FUZZ_DIR:-build-fuzz}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

say "building the fuzz targets (clang-14, RelWithDebInfo) in $DIR"
if [ ! -f "$DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$DIR" -DCMAKE_CXX_COMPILER=clang++-14 -DTETHER_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$DIR" -j "$(nproc)"

# One target: its summary line goes to $work/summary; a crash prints the
# log's tail and the input's path, and fails.
fuzz_target() {
  local target=$1 max_len=$2 flags=$3
  local work="$DIR/fuzz/$target"
  mkdir -p "$work/corpus" "$work/crashes"
  rm -f "$work/summary"
  # New entries go to the scratch copy, never to the committed seeds.
  cp -n tests/fuzz/corpus/"$target"/* "$work/corpus/"
  local log="$work/last.log" extra
  # Its own flags (tests/fuzz/CMakeLists.txt) and dictionary.
  read -r -a extra <<<"$flags"
  [ -f "tests/fuzz/$target.dict" ] && extra+=(-dict="tests/fuzz/$target.dict")
  # -timeout: an input that runs this long is a hang, kept as a crash.
  if ! "$DIR/tests/fuzz/${target}_fuzz" "$work/corpus" \
      -max_total_time="$SECONDS_EACH" -max_len="$max_len" -timeout=25 \
      -print_final_stats=1 -artifact_prefix="$work/crashes/" "${extra[@]}" \
      >"$log" 2>&1; then
    local crash
    crash=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    { tail -n 40 "$log"; echo "FUZZ FAILURE in $target: ${crash:-see $log}"; } >&2
    return 1
  fi
  # The last status line (DONE, or INITED when loading the corpus took
  # the whole time).
  local done_line runs rate cov ft corp
  done_line=$(grep -E '^#[0-9]+[[:space:]].* cov: ' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
  printf '%-13s %10s runs %7s/s  cov: %-5s ft: %-6s corpus: %s\n' \
    "$target" "$runs" "$rate" "$cov" "$ft" "$corp" >"$work/summary"
}

# One target per core at a time: each is single-threaded, so running them
# side by side gives each the same executions in a fraction of the time.
say "fuzzing each target for ${SECONDS_EACH} s, $(nproc) at a time"
targets=() pids=()
while read -r target max_len flags; do
  [ -n "$target" ] || continue
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  fuzz_target "$target" "$max_len" "$flags" &
  targets+=("$target") pids+=($!)
done <"$DIR/tests/fuzz/targets.txt"
failed=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    cat "$DIR/fuzz/${targets[$i]}/summary"
  else
    failed=1
  fi
done
exit "$failed"
