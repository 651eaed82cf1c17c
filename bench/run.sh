#!/usr/bin/env bash
# Runs every benchmark workload against every server, in one run: each
# server pinned to core 0 and started fresh for each workload, the load
# generator pinned to core 1. The generator reads the server's CPU time and
# memory from /proc over exactly the measured phase. Prints a table with
# the ratios, and writes bench/results/<stamp>.json and <stamp>.png.
# "tether" runs without a store (--store=none); "tether-store" is the same
# node with its store on (the default file in a fresh data dir per run),
# measured beside it on the workloads a store changes: W2 on sessions
# (echo and sys.push), W1, and the restart case. The cluster rows (group
# C) start three tether-node processes as one cluster on loopback, all on
# core 0: fan-out over three nodes against one, migration, resumes at a
# node that does not own the session, and a drain. The TLS rows run W2 echo
# and W1 over TLS (wss://) against tether and the baseline only, both
# serving a certificate made for the run (ECDSA P-256, in the temp dir).
#
#   bench/run.sh [--quick] [--store-only | --cluster | --tls]
#     --quick: 2 to 3 minutes (the restart case scaled down to 2,000
#     sessions); full: 9 to 11 (10,000 sessions). --store-only: only tether
#     and tether-store, only the rows the store changes (under half a
#     minute quick, 1.5 to 2 full). --cluster: only the cluster rows
#     (under a minute quick, 1.5 to 2 full). --tls: only the TLS rows,
#     tether and baseline, each after its plain twin (1 to 2 minutes quick).
#
# Environment: TETHER_BUILD_DIR (default: build), BENCH_SERVERS (default:
# "tether baseline node-ws socketio"), BENCH_DURATION (seconds per measured
# phase; default 2 quick, 5 full).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${TETHER_BUILD_DIR:-build}
SERVERS=${BENCH_SERVERS:-"tether baseline node-ws socketio"}
QUICK=0
STORE_ONLY=0
CLUSTER_ONLY=0
TLS_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --store-only) STORE_ONLY=1 ;;
    --cluster) CLUSTER_ONLY=1 ;;
    --tls) TLS_ONLY=1 ;;
    -h | --help)
      sed -n '2,27p' "$0"
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done
DURATION=${BENCH_DURATION:-$([[ $QUICK == 1 ]] && echo 2 || echo 5)}
if ((STORE_ONLY + CLUSTER_ONLY + TLS_ONLY > 1)); then
  echo "one of --store-only, --cluster and --tls at most" >&2
  exit 2
fi
[[ $STORE_ONLY == 1 || $CLUSTER_ONLY == 1 ]] && SERVERS=tether
[[ $TLS_ONLY == 1 ]] && SERVERS="tether baseline"
# Which rows run: every one, or only the store's, the cluster's or TLS's.
ALL_ROWS=$((STORE_ONLY + CLUSTER_ONLY + TLS_ONLY == 0 ? 1 : 0))
STORE_ROWS=$([[ $CLUSTER_ONLY == 0 && $TLS_ONLY == 0 ]] && echo 1 || echo 0)
TLS_ROWS=$([[ $ALL_ROWS == 1 || $TLS_ONLY == 1 ]] && echo 1 || echo 0)
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# -- what the run needs ---------------------------------------------------------
EXTRA=(gnuplot-nox)
command -v node >/dev/null || EXTRA+=(nodejs npm)
./tether.sh install "${EXTRA[@]}"
if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
say "building tether-node, tether_load and tether_baseline in $BUILD_DIR"
cmake --build "$BUILD_DIR" -j "$(nproc)" --target tether-node tether_load \
  tether_baseline >/dev/null
NODE_BIN=$BUILD_DIR/tools/tether-node/tether-node
LOAD_BIN=$BUILD_DIR/bench/tether_load
BASE_BIN=$BUILD_DIR/bench/tether_baseline

ACTIVE=()
for s in $SERVERS; do
  case "$s" in
    node-ws | socketio)
      dir=bench/peers/$s
      if [[ ! -d $dir/node_modules ]] &&
        ! timeout 300 npm ci --prefix "$dir" --no-audit --no-fund \
          --loglevel=error >/dev/null; then
        echo "note: npm ci failed in $dir; skipping $s" >&2
        continue
      fi
      ;;
  esac
  ACTIVE+=("$s")
done

# Each connection is a descriptor on both sides; the hard limit caps W1/W3.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
MAX_CONNS=$(($(ulimit -n) - 500))
cap() { echo $(($1 < MAX_CONNS ? $1 : MAX_CONNS)); }

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
# The TLS rows' certificate: self-signed for 127.0.0.1, made for this run
# only (nothing secret is kept). ECDSA P-256, the key type certbot issues
# by default; the generator does not verify it (see tether_load --ca-file).
if [[ $TLS_ROWS == 1 ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$WORK/tls.key" -out "$WORK/tls.pem" >/dev/null 2>&1
fi

# Waits (at most 3 s) until the machine is nearly idle: other processes on a
# 2-core box skew every figure. What was left shows as "other CPU/wall".
box_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8; exit}' /proc/stat; }
wait_quiet() {
  local a b hz
  hz=$(getconf CLK_TCK)
  for _ in $(seq 10); do
    a=$(box_busy)
    sleep 0.3
    b=$(box_busy)
    (((b - a) * 100 < hz * 15)) && return 0 # under 0.5 cores busy
  done
  echo "  (the machine is busy with other work: figures may be noisy)" >&2
}

# Starts server $1 on core 0; sets SPID and URL, and SDIR, the data dir of
# tether-store (fresh each time, its store the default DIR/store.db).
# Neither tether leaves files behind: their data dirs are under $WORK.
# With TLS=1, tether and baseline serve the run's certificate (wss://).
start_server() {
  local out=$WORK/server.out tls=()
  [[ ${TLS:-0} == 1 ]] && tls=(--tls-cert "$WORK/tls.pem" --tls-key "$WORK/tls.key")
  : >"$out"
  case "$1" in
    tether) taskset -c 0 "$NODE_BIN" --listen 127.0.0.1:0 --store=none \
      --data-dir "$WORK/data" "${tls[@]}" >"$out" 2>>"$WORK/tether-node.log" & ;;
    tether-store)
      SDIR=$(mktemp -d "$WORK/store.XXXXXX")
      taskset -c 0 "$NODE_BIN" --listen 127.0.0.1:0 --data-dir "$SDIR" \
        >"$out" 2>>"$WORK/tether-node.log" &
      ;;
    baseline) taskset -c 0 "$BASE_BIN" --listen 127.0.0.1:0 "${tls[@]}" \
      >"$out" 2>&1 & ;;
    node-ws | socketio) taskset -c 0 node "bench/peers/$1/server.js" \
      --listen 127.0.0.1:0 >"$out" 2>&1 & ;;
  esac
  SPID=$!
  URL=""
  for _ in $(seq 100); do
    URL=$(head -1 "$out" | grep -o 'wss\?://[^ ]*' || true)
    [[ -n "$URL" ]] && return 0
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.05
  done
  echo "server $1 did not start:" >&2
  cat "$out" >&2
  exit 1
}

stop_server() {
  kill -TERM "$SPID" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$SPID" 2>/dev/null || true
  wait "$SPID" 2>/dev/null || true
  SPID=""
}

# The bytes of the store in data dir $1: the file and its write-ahead log.
store_bytes() {
  local f total=0
  for f in "$1/store.db" "$1/store.db-wal"; do
    if [[ -f $f ]]; then total=$((total + $(stat -c %s "$f"))); fi
  done
  echo "$total"
}

# with_fields JSON KEY VALUE...: JSON with more keys (values are JSON).
with_fields() {
  python3 -c '
import json, sys
r = json.loads(sys.argv[1])
for k, v in zip(sys.argv[2::2], sys.argv[3::2]):
    r[k] = json.loads(v)
print(json.dumps(r))' "$@"
}

failed_result() {
  echo "  the generator failed: $(tail -1 "$1")" >&2
  python3 -c 'import json,sys; print(json.dumps({"error": sys.argv[1]}))' \
    "$(tail -3 "$1")"
}

# run_once SERVER GENERATOR-ARGS...: one fresh server, one generator run;
# prints the generator's JSON result (tether-store's with the size of its
# store once the node stopped).
run_once() {
  local server=$1
  shift
  wait_quiet
  start_server "$server"
  local result err=$WORK/gen.err
  result=$(taskset -c 1 timeout 300 "$LOAD_BIN" --url "$URL" \
    --server-pid "$SPID" "$@" 2>"$err" | grep '^{' | tail -1 || true)
  stop_server
  if [[ -z "$result" ]]; then
    result=$(failed_result "$err")
  elif [[ $server == tether-store ]]; then
    result=$(with_fields "$result" store_file_bytes "$(store_bytes "$SDIR")")
  fi
  [[ $server == tether-store ]] && rm -rf "$SDIR"
  echo "$result"
}

# run_cluster SERVER GENERATOR-ARGS...: the generator starts the node(s)
# itself (--exec; --nodes 3 of them as one cluster on loopback), each on
# core 0 like every server here, so that it can time a node's exit; their
# CPU and RSS are summed. SERVER is always tether.
CLUSTER_NODE="taskset -c 0 $NODE_BIN --listen 127.0.0.1:0 --store=none"
run_cluster() {
  shift
  wait_quiet
  local result err=$WORK/gen.err
  result=$(taskset -c 1 timeout 300 "$LOAD_BIN" --exec "$CLUSTER_NODE" \
    --exec-log "$WORK/tether-node.log" "$@" 2>"$err" | grep '^{' | tail -1 || true)
  [[ -z "$result" ]] && result=$(failed_result "$err")
  echo "$result"
}

# The largest share of wall time the hypervisor stole in any phase of a
# result (0 when it says nothing about steal).
most_stolen() {
  python3 -c '
import json, sys
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k.endswith("steal_util") and isinstance(v, (int, float)):
                yield v
            else:
                yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)
print(max(walk(json.loads(sys.argv[1])), default=0))' "$1"
}

# Runs the hypervisor disturbed (steal over STEAL_LIMIT of wall time in a
# phase) are measured once more, at most MAX_REPEATS times in a whole run;
# the report keeps the less disturbed of the two and says it repeated.
STEAL_LIMIT=${BENCH_STEAL_LIMIT:-0.2}
MAX_REPEATS=${BENCH_MAX_REPEATS:-$([[ $QUICK == 1 ]] && echo 2 || echo 4)}
REPEATS=0

# measure SERVER GROUP WORKLOAD GENERATOR-ARGS...: appends {server, group,
# workload, result, repeated} to the runs. RUNNER (default run_once) names
# the function that runs it once.
measure() {
  local server=$1 group=$2 workload=$3
  shift 3
  say "$group $workload: $server"
  local result stolen repeated=false run=${RUNNER:-run_once}
  result=$($run "$server" "$@")
  stolen=$(most_stolen "$result")
  if python3 -c "import sys; sys.exit(not $stolen > $STEAL_LIMIT)" &&
    ((REPEATS < MAX_REPEATS)); then
    REPEATS=$((REPEATS + 1))
    say "  steal was $stolen of wall time: measuring once more"
    local again
    again=$($run "$server" "$@")
    if python3 -c "import sys; sys.exit(not $(most_stolen "$again") < $stolen)"; then
      result=$again
    fi
    repeated=true
  fi
  printf '{"server":"%s","group":"%s","workload":"%s","repeated":%s,"result":%s}\n' \
    "$server" "$group" "$workload" "$repeated" "$result" >>"$RUNS"
}

for_all() { for s in "${ACTIVE[@]}"; do measure "$s" "$@"; done; }
# tls_rows GROUP WORKLOAD ARGS...: "WORKLOAD over TLS" for tether and the
# baseline only, both serving TLS. With --tls each comes after the same
# workload in plain, so that the report can set TLS beside plain (a whole
# run has the plain rows already).
tls_rows() {
  local s group=$1 workload=$2
  shift 2
  for s in "${ACTIVE[@]}"; do
    [[ $s == tether || $s == baseline ]] || continue
    [[ $TLS_ONLY == 1 ]] && measure "$s" "$group" "$workload" "$@"
    TLS=1 measure "$s" "$group" "$workload over TLS" "$@"
  done
}
HAS_TETHER=$([[ " ${ACTIVE[*]} " == *" tether "* ]] && echo 1 || echo 0)
# The store off and on, one right after the other.
store_pair() {
  if [[ $HAS_TETHER == 1 ]]; then
    measure tether "$@"
    measure tether-store "$@"
  fi
}
# Every server, and tether-store right after tether.
for_all_and_store() {
  for s in "${ACTIVE[@]}"; do
    measure "$s" "$@"
    if [[ $s == tether ]]; then measure tether-store "$@"; fi
  done
}

# measure_restart SESSIONS ROOMS: the store's restart case. A node with a
# store gets SESSIONS sessions, ROOMS rooms of 10 of them, and one sys.push
# of 10 SIGNALs per session that nobody acknowledges (11 kept frames each);
# SIGTERM stops it (it flushes and marks the store clean). The generator
# then starts a node on that store itself (exec), times it to its listening
# line and to a first SESSION_RESUME served, and storms it with the other
# resumes. Each phase connects from its own loopback address, clear of the
# sockets earlier workloads left in TIME_WAIT. Not repeated on steal.
measure_restart() {
  local n=$1 rooms=$2 workload="restart $1 sessions, $2 rooms"
  say "W4 $workload: tether-store"
  wait_quiet
  start_server tether-store
  local dir=$SDIR err=$WORK/gen.err prep result t0 t1 rc=0 bytes
  prep=$(taskset -c 1 timeout 300 "$LOAD_BIN" --url "$URL" --server-pid "$SPID" \
    --mode restart-prepare --conns "$n" --rooms "$rooms" --members 10 \
    --push-count 10 --state "$dir/state" --max-connecting 1000 \
    --source-from 2 2>"$err" | grep '^{' | tail -1 || true)
  [[ -z $prep ]] && prep=$(failed_result "$err")
  # The stop: SIGTERM until the process is gone, the store flushed.
  t0=$(date +%s%N)
  kill -TERM "$SPID" 2>/dev/null || true
  for _ in $(seq 6000); do
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.01
  done
  t1=$(date +%s%N)
  kill -KILL "$SPID" 2>/dev/null || true
  wait "$SPID" 2>/dev/null || rc=$?
  SPID=""
  bytes=$(store_bytes "$dir")
  wait_quiet
  result=$(taskset -c 1 timeout 300 "$LOAD_BIN" --mode restart \
    --state "$dir/state" --max-connecting 1000 --source-from 3 \
    --exec "taskset -c 0 $NODE_BIN --listen 127.0.0.1:0 --data-dir $dir" \
    --exec-log "$WORK/tether-node.log" 2>"$err" | grep '^{' | tail -1 || true)
  [[ -z $result ]] && result=$(failed_result "$err")
  result=$(with_fields "$result" prepare "$prep" stop_s \
    "$(((t1 - t0) / 1000000))e-3" stop_exit_status "$rc" \
    store_file_bytes "$bytes" store_file_bytes_after "$(store_bytes "$dir")")
  rm -rf "$dir"
  printf '{"server":"tether-store","group":"W4","workload":"%s","repeated":false,"result":%s}\n' \
    "$workload" "$result" >>"$RUNS"
}

if [[ $QUICK == 1 ]]; then
  # The cluster rows: fan-out members, sessions migrated, sessions resumed
  # (twice each), sessions drained.
  C_MEMBERS=300
  C_MIGRATE=200
  C_RESUME=200
  C_DRAIN=2000
  PAYLOADS=(32)
  RATES=(10000)
  IDLE=(1000)
  STEPS=100,1000
  RESUME=1000
  SESSION_CONNS=(100)
  RESTART=(2000 200) # scaled down from 10,000 sessions and 1,000 rooms
  TLS_PAYLOADS=(32)
  TLS_IDLE=1000 # the size of the plain W1 row, to compare with
else
  C_MEMBERS=1200
  C_MIGRATE=1000
  C_RESUME=1000
  C_DRAIN=10000
  PAYLOADS=(32 1024)
  RATES=(10000 30000)
  IDLE=(1000 10000 50000)
  STEPS=100,500,1000,2000,5000,10000,$(cap 50000)
  RESUME=10000
  SESSION_CONNS=(1 100)
  RESTART=(10000 1000)
  TLS_PAYLOADS=(32 1024)
  TLS_IDLE=10000
fi
D=(--duration "$DURATION")

if [[ $ALL_ROWS == 1 ]]; then
  for p in "${PAYLOADS[@]}"; do
    for c in 1 100; do
      for_all W2 "echo $c conn $p B" --mode echo --conns $c --payload "$p" "${D[@]}"
    done
  done
  for r in "${RATES[@]}"; do
    for_all W2 "echo $r/s 100 conns 32 B" --mode echo --conns 100 --rate "$r" "${D[@]}"
  done
fi
# W2 over TLS: the node's TLS (OpenSSL under Beast) against the baseline's,
# the same context on both.
if [[ $TLS_ROWS == 1 ]]; then
  for p in "${TLS_PAYLOADS[@]}"; do
    for c in 1 100; do
      tls_rows W2 "echo $c conn $p B" --mode echo --conns $c --payload "$p" \
        "${D[@]}"
    done
  done
fi
# W2 on sessions, the store off and on: answers numbered, kept until the
# client ACKs them (every ack_every, the WELCOME's 64) and, with the store,
# saved and deleted again.
if [[ $STORE_ROWS == 1 ]]; then
  for c in "${SESSION_CONNS[@]}"; do
    store_pair W2 "session echo $c conn 32 B" --mode echo --sessions \
      --ack-every 0 --conns "$c" --payload 32 "${D[@]}"
  done
  store_pair W2 "session push 100 conns x 100" --mode push --push-count 100 \
    --ack-every 0 --conns 100 --payload 32 "${D[@]}"
fi

# W5 and W4 use few connections: they run before W1 and W3 fill the port
# range with tens of thousands of sockets in TIME_WAIT, which slows every
# connect() on the box for a minute. W4 leaves 20,000 of its own, so it
# comes after W5: the run right after it is disturbed.
if [[ $ALL_ROWS == 1 ]]; then
  for_all W5 "20 slow of 16 KiB at 500/s" --mode slow --conns 10 --slow 20 \
    --payload 16384 --broadcast-rate 500 "${D[@]}"
  # The same flood in Tether's lossy delivery classes: latest over 4 keys
  # (each slow stream keeps one waiting frame per key), and drop (skipped
  # beyond lossy_after): the slow members stay connected.
  if [[ $HAS_TETHER == 1 ]]; then
    for how in latest drop; do
      measure tether W5 "20 slow of 16 KiB at 500/s, $how" --mode slow \
        --conns 10 --slow 20 --payload 16384 --broadcast-rate 500 \
        --delivery "$how" "${D[@]}"
    done
  fi
  if [[ $HAS_TETHER == 1 ]]; then
    measure tether W4 "resume $RESUME sessions" --mode resume --conns "$RESUME" \
      --max-connecting 1000
  fi
fi
if [[ $STORE_ROWS == 1 ]]; then
  [[ $HAS_TETHER == 1 ]] && measure_restart "${RESTART[@]}"
  for n in "${IDLE[@]}"; do
    k=$(cap "$n")
    for_all_and_store W1 "idle $k conns" --mode idle --conns "$k" --hold 1
  done
fi
# W1 over TLS: what an idle TLS session holds (OpenSSL's state and buffers
# on top of the plain one), at a size plain W1 has; from 127.0.0.5, clear
# of W1's TIME_WAIT.
if [[ $TLS_ROWS == 1 ]]; then
  k=$(cap "$TLS_IDLE")
  # Handshakes open a few hundred a second on a busy core: 10,000 need time.
  tls_rows W1 "idle $k conns" --mode idle --conns "$k" --hold 1 --source-from 5 \
    --connect-timeout 180
fi
if [[ $ALL_ROWS == 1 ]]; then
  for_all W3 "one room" --mode fanout --members "$STEPS" --inflight 4 "${D[@]}"
  if [[ $QUICK == 0 ]]; then
    for_all W3 "1000 rooms of 10" --mode fanout --rooms 1000 --members 10 \
      --inflight 1 "${D[@]}"
  fi
fi
# The cluster: one room's fan-out on one node and spread over three (the
# broadcaster and room on a), the CPU summed over the nodes; idle sessions
# moved a -> b one at a time; resumes at a (the owner) against at b
# (redirected to a); a drained into b and c. From 127.0.0.4, clear of the
# sockets the rows before left in TIME_WAIT.
if [[ $HAS_TETHER == 1 && $STORE_ONLY == 0 && $TLS_ONLY == 0 ]]; then
  CL=(--source-from 4 --max-connecting 1000)
  for nodes in 1 3; do
    RUNNER=run_cluster measure tether C \
      "fan-out $C_MEMBERS members, $nodes node$([[ $nodes == 1 ]] || echo s)" \
      --nodes "$nodes" --mode fanout --members "$C_MEMBERS" --inflight 4 \
      "${CL[@]}" "${D[@]}"
  done
  RUNNER=run_cluster measure tether C "migrate $C_MIGRATE idle sessions a to b" \
    --nodes 3 --mode migrate --conns "$C_MIGRATE" "${CL[@]}"
  RUNNER=run_cluster measure tether C "resume $C_RESUME sessions at a and via b" \
    --nodes 3 --mode cluster-resume --conns "$C_RESUME" "${CL[@]}"
  RUNNER=run_cluster measure tether C "drain a of $C_DRAIN sessions into b and c" \
    --nodes 3 --mode drain --conns "$C_DRAIN" --push-count 5 "${CL[@]}"
fi
# The nodes' log beside the results: what they said (warnings, errors).
cp "$WORK/tether-node.log" "bench/results/$STAMP.tether-node.log" 2>/dev/null || true
MODE=$([[ $QUICK == 1 ]] && echo quick || echo full)
[[ $STORE_ONLY == 1 ]] && MODE="$MODE, store rows only"
[[ $CLUSTER_ONLY == 1 ]] && MODE="$MODE, cluster rows only"
[[ $TLS_ONLY == 1 ]] && MODE="$MODE, TLS rows only"
python3 bench/report.py "$RUNS" "bench/results/$STAMP" "$MODE" "$DURATION" \
  "$MAX_CONNS"
