#!/usr/bin/env bash
# Runs the benchmarks: each server pinned to core 0, the load generator to
# core 1, a fresh server process per workload. Measures the server's CPU time
# per operation (/proc/PID/stat) and, for the idle workload, its RSS per
# session (/proc/PID/status). Prints a table and writes
# bench/results/<timestamp>.json.
#
#   bench/run.sh [--quick]
#
# Environment: TETHER_BUILD_DIR (default: build), BENCH_DURATION (seconds per
# echo run; default 5), BENCH_SERVERS (default: "tether baseline node-ws").
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${TETHER_BUILD_DIR:-build}
DURATION=${BENCH_DURATION:-5}
SERVERS=${BENCH_SERVERS:-"tether baseline node-ws"}
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# -- build ----------------------------------------------------------------------
if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" --target tether-node tether_load \
  tether_baseline >/dev/null
NODE_BIN=$BUILD_DIR/tools/tether-node/tether-node
LOAD_BIN=$BUILD_DIR/bench/tether_load
BASE_BIN=$BUILD_DIR/bench/tether_baseline

HAVE_NODE_WS=0
if [[ " $SERVERS " == *" node-ws "* ]]; then
  if command -v node >/dev/null && command -v npm >/dev/null; then
    if [[ -d bench/peers/node-ws/node_modules ]] ||
      timeout 120 npm ci --prefix bench/peers/node-ws --no-audit --no-fund \
        --loglevel=error >/dev/null; then
      HAVE_NODE_WS=1
    else
      echo "note: npm ci failed; skipping the node-ws server" >&2
    fi
  else
    echo "note: node/npm not found; skipping the node-ws server" >&2
  fi
fi

# 10k idle connections need as many descriptors, on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

CLK_TCK=$(getconf CLK_TCK)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
WORK=$(mktemp -d)
RUNS=$WORK/runs.jsonl
: >"$RUNS"
SPID=""

cleanup() {
  if [[ -n "$SPID" ]]; then kill -KILL "$SPID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# utime + stime of a process, in clock ticks (the fields after the ")").
cpu_ticks() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo $((${12} + ${13}))
}
# Busy ticks of the whole machine: user nice system irq softirq.
box_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8; exit}' /proc/stat; }
ticks_s() { awk -v d="$1" -v t="$CLK_TCK" 'BEGIN{printf "%.3f", d/t}'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
now_ns() { date +%s%N; }

# Waits (at most 5 s) for the machine to be quiet: other processes on this
# 2-core box skew every figure. The "other CPU/wall" column shows what was left.
wait_quiet() {
  local a b
  for _ in $(seq 10); do
    a=$(box_ticks)
    sleep 0.5
    b=$(box_ticks)
    # under 0.2 cores busy
    (((b - a) * 10 < CLK_TCK)) && return 0
  done
  echo "  (machine still busy with other processes; figures may be noisy)" >&2
}

# Starts server $1 on core 0; sets SPID and URL.
start_server() {
  local out=$WORK/server.out
  : >"$out"
  case "$1" in
    tether)
      taskset -c 0 "$NODE_BIN" --listen 127.0.0.1:0 >"$out" \
        2>>"$WORK/tether-node.log" &
      ;;
    baseline)
      taskset -c 0 "$BASE_BIN" --listen 127.0.0.1:0 >"$out" 2>&1 &
      ;;
    node-ws)
      taskset -c 0 node bench/peers/node-ws/server.js --listen 127.0.0.1:0 \
        >"$out" 2>&1 &
      ;;
  esac
  SPID=$!
  URL=""
  for _ in $(seq 100); do
    URL=$(head -1 "$out" | grep -o 'ws://[^ ]*' || true)
    [[ -n "$URL" ]] && break
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$URL" ]]; then
    echo "server $1 did not start" >&2
    cat "$out" >&2
    exit 1
  fi
}

stop_server() {
  kill -TERM "$SPID" 2>/dev/null || true
  for _ in $(seq 80); do
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$SPID" 2>/dev/null || true
  wait "$SPID" 2>/dev/null || true
  SPID=""
}

# echo SERVER CONNS PAYLOAD
run_echo() {
  local server=$1 conns=$2 payload=$3
  wait_quiet
  start_server "$server"
  local c0 c1 t0 t1 b0 b1 line
  c0=$(cpu_ticks "$SPID")
  b0=$(box_ticks)
  t0=$(now_ns)
  line=$(taskset -c 1 timeout $((DURATION + 60)) "$LOAD_BIN" --url "$URL" \
    --mode echo --conns "$conns" --payload "$payload" \
    --duration "$DURATION" || true)
  t1=$(now_ns)
  c1=$(cpu_ticks "$SPID")
  b1=$(box_ticks)
  local rss
  rss=$(rss_kb "$SPID")
  stop_server
  [[ -n "$line" ]] || line='{}'
  printf '{"server":"%s","workload":"W2 echo %s conn %s B","server_cpu_s":%s,"box_cpu_s":%s,"wall_s":%s,"rss_kb":%s,"load":%s}\n' \
    "$server" "$conns" "$payload" "$(ticks_s $((c1 - c0)))" \
    "$(ticks_s $((b1 - b0)))" \
    "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1e9}')" \
    "$rss" "$line" >>"$RUNS"
}

# idle SERVER CONNS
run_idle() {
  local server=$1 conns=$2
  wait_quiet
  start_server "$server"
  local out=$WORK/idle.out c0 c1 t0 t1 b0 b1 r0 r1 line="" gpid
  : >"$out"
  sleep 0.2
  r0=$(rss_kb "$SPID")
  c0=$(cpu_ticks "$SPID")
  b0=$(box_ticks)
  t0=$(now_ns)
  taskset -c 1 timeout 120 "$LOAD_BIN" --url "$URL" --mode idle \
    --conns "$conns" --hold 2 --connect-timeout 60 >"$out" &
  gpid=$!
  for _ in $(seq 900); do
    line=$(head -1 "$out")
    [[ -n "$line" ]] && break
    kill -0 "$gpid" 2>/dev/null || break
    sleep 0.1
  done
  t1=$(now_ns)
  c1=$(cpu_ticks "$SPID")
  b1=$(box_ticks)
  r1=$(rss_kb "$SPID")
  wait "$gpid" 2>/dev/null || true
  [[ -n "$line" ]] || line=$(head -1 "$out")
  stop_server
  [[ -n "$line" ]] || line='{}'
  printf '{"server":"%s","workload":"W1 idle %s sessions","server_cpu_s":%s,"box_cpu_s":%s,"wall_s":%s,"rss_before_kb":%s,"rss_kb":%s,"load":%s}\n' \
    "$server" "$conns" "$(ticks_s $((c1 - c0)))" "$(ticks_s $((b1 - b0)))" \
    "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1e9}')" \
    "$r0" "$r1" "$line" >>"$RUNS"
}

ACTIVE=()
for s in $SERVERS; do
  if [[ "$s" == node-ws && "$HAVE_NODE_WS" != 1 ]]; then continue; fi
  ACTIVE+=("$s")
done

ECHO_RUNS=("1 32" "100 32")
IDLE_RUNS=(1000)
if [[ $QUICK == 0 ]]; then
  ECHO_RUNS+=("1 1024" "100 1024")
  IDLE_RUNS+=(10000)
fi

for spec in "${ECHO_RUNS[@]}"; do
  for s in "${ACTIVE[@]}"; do
    echo "running W2 echo ($spec) against $s ..." >&2
    # shellcheck disable=SC2086
    run_echo "$s" $spec
  done
done
for k in "${IDLE_RUNS[@]}"; do
  for s in "${ACTIVE[@]}"; do
    echo "running W1 idle ($k) against $s ..." >&2
    run_idle "$s" "$k"
  done
done

python3 "$ROOT/bench/report.py" "$RUNS" "bench/results/$STAMP.json" \
  "$( [[ $QUICK == 1 ]] && echo quick || echo full )" "$DURATION"
