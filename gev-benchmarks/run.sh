#!/usr/bin/env bash
# Runs gev and its Netty peers alternately, several rounds, and prints one table of medians.
#
#   gev-benchmarks/run.sh [--rounds N] [--warmup S] [--duration S] [--loops L] [--only REGEX] [--no-build]
#
# To compare two builds of gev instead (before/after a change), point the peer at the other jar:
#   PEER_JAR=/tmp/gev-before.jar PEER_IMPL=gev PEER_LABEL=gev-before gev-benchmarks/run.sh --only echo
#
# Everything targets 127.0.0.1. Each run is bounded: a server gets 20 s to start, a load its
# warm-up + duration + a connect timeout. Results go to gev-benchmarks/target/bench/<time>/.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=3
WARMUP=3
DURATION=5
LOOPS=1
ONLY=""
BUILD=1
QUIET_WAIT=${QUIET_WAIT:-60}
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --loops) LOOPS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# The same JVM flags for every server and for the load generator.
JVM_FLAGS=${JVM_FLAGS:-"-Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch"}
# Scenario | load generator arguments. gev runs as "gev" (or "gev-ws"), its peer as "netty" (or "netty-ws").
SCENARIOS=(
  "echo c=50 m=6|--mode echo -c 50 -m 6"
  "echo c=1000 m=4096|--mode echo -c 1000 -m 4096"
  "echo c=100 m=512|--mode echo -c 100 -m 512"
  "ws c=100 m=512|--mode ws -c 100 -m 512"
  "pipeline c=50 m=64 K=16|--mode pipeline -c 50 -m 64 -k 16"
  "idle c=10000|--mode connect --idle -c 10000"
  "connect churn c=50|--mode connect -c 50"
)

if [ "$BUILD" = 1 ]; then
  echo "building..." >&2
  (cd "$ROOT" && mvn -q -B -DskipTests -pl gev-benchmarks -am package)
fi
JAR="$HERE/target/gev-benchmarks.jar"
PEER_JAR=${PEER_JAR:-$JAR}
PEER_LABEL=${PEER_LABEL:-netty}
OUT="$HERE/target/bench/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.txt"
: > "$RESULTS"

# Server on CPU 1, load generator on CPU 0, when the machine has two CPUs and taskset.
SERVER_PIN=()
CLIENT_PIN=()
if command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ]; then
  SERVER_PIN=(taskset -c 1)
  CLIENT_PIN=(taskset -c 0)
fi
# 10,000 idle connections need that many descriptors on each side.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

# Busy clock ticks of all CPUs (user nice system irq softirq steal).
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
# Waits (at most QUIET_WAIT s) until other processes use under 15 % of one CPU: builds of other
# people on a shared machine would otherwise skew a run. Each result still records the CPU others
# used during its window (foreign_cpu_pct).
wait_quiet() {
  local waited=0 a b
  while [ "$waited" -lt "$QUIET_WAIT" ]; do
    a=$(busy_ticks); sleep 1; b=$(busy_ticks)
    [ $((b - a)) -le $(($(getconf CLK_TCK) * 15 / 100)) ] && return 0
    waited=$((waited + 1))
  done
  echo "  the machine is still busy after ${QUIET_WAIT} s: measuring anyway" >&2
}

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

# run_one LABEL IMPL JAR SCENARIO ARGS...: one server JVM, one load, one RESULT line.
run_one() {
  local label=$1 impl=$2 jar=$3 scenario=$4
  shift 4
  local log="$OUT/$(echo "$scenario-$label" | tr ' =' '__').log"
  wait_quiet
  "${SERVER_PIN[@]}" java $JVM_FLAGS -cp "$jar" io.gev.bench.server.BenchServer "$impl" 0 "$LOOPS" > "$log.server" 2>&1 &
  SERVER_PID=$!
  local ready=""
  for _ in $(seq 1 200); do
    ready=$(grep -m1 -E '^(READY|UNAVAILABLE)' "$log.server" || true)
    [ -n "$ready" ] && break
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.1
  done
  if [[ "$ready" != READY* ]]; then
    echo "  $scenario $label: server $impl not available (${ready:-did not start}, see $log.server)" >&2
    stop_server
    return 0
  fi
  local port control
  port=$(sed -E 's/.* port=([0-9]+).*/\1/' <<< "$ready")
  control=$(sed -E 's/.* control=([0-9]+).*/\1/' <<< "$ready")
  # The load bounds itself; timeout is a safety net only.
  if ! timeout 300 "${CLIENT_PIN[@]}" java $JVM_FLAGS -cp "$JAR" io.gev.bench.load.LoadGenerator "$@" \
      --port "$port" --server-pid "$SERVER_PID" --control-port "$control" --label "$label" \
      --warmup "$WARMUP" -d "$DURATION" > "$log" 2>&1; then
    echo "  $scenario $label: the load reported errors (see $log)" >&2
  fi
  local line
  line=$(grep -m1 '^RESULT ' "$log" || true)
  if [ -n "$line" ]; then
    echo "$line" >> "$RESULTS"
    echo "  $(sed -E 's/.*label=([^ ]+).*ops_per_s=([^ ]+).*p99_us=([^ ]+).*errors=([^ ]+) server_cpu_ns_per_op=([^ ]+).*foreign_cpu_pct=([^ ]+) bytes_per_conn=([^ ]+).*/\1: \2 ops\/s, p99 \3 us, server cpu \5 ns\/op, \7 B\/conn, errors \4, others \6 % cpu/' <<< "$line")" >&2
  fi
  stop_server
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)" | tee "$OUT/machine.txt" >&2
echo "pinning: server ${SERVER_PIN[*]:-none}, client ${CLIENT_PIN[*]:-none}; loops $LOOPS; rounds $ROUNDS; warm-up $WARMUP s; measured $DURATION s; JVM $JVM_FLAGS" | tee -a "$OUT/machine.txt" >&2

for round in $(seq 1 "$ROUNDS"); do
  for entry in "${SCENARIOS[@]}"; do
    scenario=${entry%%|*}
    args=${entry#*|}
    if [ -n "$ONLY" ] && ! [[ "$scenario" =~ $ONLY ]]; then
      continue
    fi
    gev=gev
    peer=${PEER_IMPL:-netty}
    if [[ "$scenario" == ws* ]]; then
      gev=gev-ws
      peer=${PEER_IMPL:-netty}-ws
    fi
    echo "round $round/$ROUNDS: $scenario" >&2
    # Alternate who goes first, so a drift of the machine favours neither.
    if [ $((round % 2)) = 1 ]; then
      run_one gev "$gev" "$JAR" "$scenario" $args
      run_one "$PEER_LABEL" "$peer" "$PEER_JAR" "$scenario" $args
    else
      run_one "$PEER_LABEL" "$peer" "$PEER_JAR" "$scenario" $args
      run_one gev "$gev" "$JAR" "$scenario" $args
    fi
  done
done

java -cp "$JAR" io.gev.bench.load.Summary "$RESULTS" | tee "$OUT/table.md"
echo "results: $OUT" >&2
