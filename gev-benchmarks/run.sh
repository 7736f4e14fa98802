#!/usr/bin/env bash
# Runs gev and its Netty peers alternately, several rounds, and prints one table of medians.
# Every scenario but idle memory runs both servers at once and alternates the load between them in
# half-second slices; idle memory runs one server at a time. The defaults (3
# rounds, 4 s of warm-up, 4 s measured per server) take about 21 minutes (TLS warms up 10 s); --rounds 5 narrows them.
#
#   gev-benchmarks/run.sh [--rounds N] [--warmup S] [--duration S] [--loops L] [--only REGEX] [--no-build]
#
# To compare two builds of gev instead (before/after a change), point the peer at the other jar:
#   PEER_JAR=/tmp/gev-before.jar PEER_IMPL=gev PEER_LABEL=gev-before gev-benchmarks/run.sh --only echo
#
# TLS scenarios warm up for at least TLS_MIN_WARMUP seconds (default 10, half of it per server):
# the JDK's TLS code compiles late, Netty's path later than gev's. In single rounds of tls-echo,
# gev/Netty server CPU per message was 0.56 after 2 s of warm-up, 0.70 after 4 s, and 0.81-1.01
# after 10 s or 20 s.
#
# Everything targets 127.0.0.1. Each run is bounded: a server gets 20 s to start, a load its
# warm-up + duration + a connect timeout. Results go to gev-benchmarks/target/bench/<time>/ (the
# logs of round N as rN-<scenario>...), with the TLS servers' throwaway key store (bench.p12, made
# by keytool, shared by both servers).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=3
WARMUP=4
DURATION=4
LOOPS=1
ONLY=""
BUILD=1
QUIET_WAIT=${QUIET_WAIT:-60}
TLS_MIN_WARMUP=${TLS_MIN_WARMUP:-10}
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

# The same JVM flags for every server and for the load generator. SERVER_FLAGS adds flags to the
# servers only, e.g. a profiler: SERVER_FLAGS="-agentpath:/path/libasyncProfiler.so=start,event=cpu,collapsed,file=/tmp/%p.txt"
JVM_FLAGS=${JVM_FLAGS:-"-Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch"}
SERVER_FLAGS=${SERVER_FLAGS:-}
# Threads of the offload-echo servers' handler executors (see the scenarios below); the same for both.
OFFLOAD_THREADS=${OFFLOAD_THREADS:-4}
# Scenario | load generator arguments. The client-echo rows measure clients instead of servers (see
# run_clients): gev's Client and Netty's Bootstrap, both on epoll, against one Netty echo server. gev runs as "gev" (or "gev-ws", "gev-tls", "gev-tls-openssl",
# "gev-offload"), its peer as "netty" (or "netty-ws", "netty-tls", "netty-tls-openssl",
# "netty-offload"): tls-echo runs both on the JDK's SSLEngine, tls-openssl-echo both on OpenSSL's.
# The tls-handshake rows count new TLS connections per second (connect, handshake, 8-byte echo,
# close), full handshakes or resumed sessions. offload-echo runs the echo handler off the I/O loop,
# gev's on virtual threads (Java 21+) or a pool of OFFLOAD_THREADS threads, Netty's on a
# DefaultEventExecutorGroup of OFFLOAD_THREADS threads. unix-echo runs gev's echo on a Unix domain
# socket against the same echo on TCP loopback (labelled gev-tcp): the transport's cost alone. The
# udp-echo rows are datagrams: C sockets with K datagrams in flight each against gev's
# DatagramServer and Netty's EpollDatagramChannel ("gev-udp", "netty-udp"); ops are datagrams echoed.
SCENARIOS=(
  "echo c=50 m=6|--mode echo -c 50 -m 6"
  "echo c=1000 m=4096|--mode echo -c 1000 -m 4096"
  "echo c=100 m=512|--mode echo -c 100 -m 512"
  "ws c=100 m=512|--mode ws -c 100 -m 512"
  "tls-echo c=100 m=512|--mode echo --tls -c 100 -m 512"
  "tls-openssl-echo c=100 m=512|--mode echo --tls --tag openssl -c 100 -m 512"
  "tls-handshake full c=16|--mode handshake --tls -c 16 --slice 1"
  "tls-handshake resumed c=16|--mode handshake --tls --resume -c 16 --slice 1"
  "tls-openssl-handshake full c=16|--mode handshake --tls --tag openssl -c 16 --slice 1"
  "tls-openssl-handshake resumed c=16|--mode handshake --tls --tag openssl --resume -c 16 --slice 1"
  "offload-echo c=100 m=512|--mode echo --tag offload -c 100 -m 512"
  "offload-echo c=50 m=6|--mode echo --tag offload -c 50 -m 6"
  "pipeline c=50 m=64 K=16|--mode pipeline -c 50 -m 64 -k 16"
  "idle c=10000|--mode connect --idle -c 10000"
  "connect churn c=50|--mode connect -c 50"
  "udp-echo c=50 m=64|--mode udp -c 50 -m 64"
  "udp-echo c=50 m=512 K=4|--mode udp -c 50 -m 512 -k 4"
  "client-echo c=50 m=6|--mode client -c 50 -m 6"
  "client-echo c=100 m=512|--mode client -c 100 -m 512"
  "unix-echo c=50 m=6|--mode echo --tag unix -c 50 -m 6"
  "unix-echo c=100 m=512|--mode echo --tag unix -c 100 -m 512"
  "group-broadcast sessions=10000|broadcast 10000 200"
  "group-redis latency|redis 5000"
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
# The TLS servers' key and certificate, one for both; made before the first TLS scenario.
KEYSTORE="$OUT/bench.p12"

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

SERVER_PIDS=()
stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2> /dev/null || true
    # Started from a subshell, so not our child: poll until it is gone (at most 10 s).
    for _ in $(seq 1 200); do
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.05
    done
  done
  SERVER_PIDS=()
}
trap stop_servers EXIT

# start_server IMPL JAR LOG: starts one server JVM pinned; prints "PORT CONTROL PID", or nothing
# when the server is not available (gev-ws before gev has WebSocket). Runs in $(...): the caller
# records the PID for stop_servers.
start_server() {
  local impl=$1 jar=$2 log=$3 ready="" pid
  "${SERVER_PIN[@]}" java $JVM_FLAGS $SERVER_FLAGS -Dgev.bench.keystore="$KEYSTORE" \
    -Dgev.bench.offload.threads="$OFFLOAD_THREADS" -cp "$jar" io.gev.bench.server.BenchServer "$impl" 0 "$LOOPS" > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    ready=$(grep -m1 -E '^(READY|UNAVAILABLE)' "$log" || true)
    [ -n "$ready" ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  if [[ "$ready" != READY* ]]; then
    echo "  server $impl not available (${ready:-did not start}, see $log)" >&2
    kill "$pid" 2> /dev/null || true
    return 0
  fi
  # Where an offloading server runs its handler (virtual threads or a pool), and on which Java.
  grep -m1 '^SERVER .*handler on' "$log" | sed 's/^SERVER /  /' >&2 || true
  echo "$(sed -E 's/.* port=([^ ]+).*/\1/' <<< "$ready") $(sed -E 's/.* control=([0-9]+).*/\1/' <<< "$ready") $pid"
}

# load LOG ARGS...: one load generator run; its RESULT lines go to the results file.
load() {
  local log=$1
  shift
  # The load bounds itself; timeout is a safety net only.
  if ! timeout 300 "${CLIENT_PIN[@]}" java $JVM_FLAGS -cp "$JAR" io.gev.bench.load.LoadGenerator "$@" \
      --warmup "$SCENARIO_WARMUP" -d "$DURATION" > "$log" 2>&1; then
    echo "  the load reported errors (see $log)" >&2
  fi
  grep '^RESULT ' "$log" >> "$RESULTS" || true
  grep '^TLS ' "$log" | sed 's/^/  /' >&2 || true
  grep '^RESULT ' "$log" | sed -E 's/.*label=([^ ]+).*ops_per_s=([^ ]+).*p99_us=([^ ]+).*errors=([^ ]+) server_cpu_ns_per_op=([^ ]+).*foreign_cpu_pct=([^ ]+) bytes_per_conn=([^ ]+).*/  \1: \2 ops\/s, p99 \3 us, server cpu \5 ns\/op, \7 B\/conn, errors \4, others \6 % cpu/' >&2 || true
}

# run_one LABEL IMPL JAR SCENARIO ARGS...: one server alone under the load.
run_one() {
  local label=$1 impl=$2 jar=$3 scenario=$4 base s
  shift 4
  base="$OUT/r$round-$(echo "$scenario-$label" | tr ' =' '__')"
  wait_quiet
  s=$(start_server "$impl" "$jar" "$base.server.log")
  if [ -n "$s" ]; then
    set -- "$@" --label "$label"
    read -r port control pid <<< "$s"
    SERVER_PIDS+=("$pid")
    load "$base.log" "$@" --port "$port" --control-port "$control" --server-pid "$pid"
  fi
  stop_servers
}

# run_pair SCENARIO GEV_IMPL PEER_IMPL ARGS...: both servers up, the load alternating between
# them in slices (see LoadRun.measure), so a slow spell of the machine hits both; falls back to the
# peer alone when gev's server is not available.
run_pair() {
  local scenario=$1 gev=$2 peer=$3 base a b
  shift 3
  base="$OUT/r$round-$(echo "$scenario" | tr ' =' '__')"
  wait_quiet
  a=$(start_server "$gev" "$JAR" "$base.gev.server.log")
  b=$(start_server "$peer" "$PAIR_JAR" "$base.$PAIR_LABEL.server.log")
  [ -n "$a" ] && SERVER_PIDS+=("${a##* }")
  [ -n "$b" ] && SERVER_PIDS+=("${b##* }")
  if [ -n "$a" ] && [ -n "$b" ]; then
    read -r port control pid <<< "$a"
    read -r portb controlb pidb <<< "$b"
    load "$base.log" "$@" --label gev --port "$port" --control-port "$control" --server-pid "$pid" \
      --label-b "$PAIR_LABEL" --port-b "$portb" --control-port-b "$controlb" --server-pid-b "$pidb"
  elif [ -n "$b" ]; then
    read -r port control pid <<< "$b"
    load "$base.log" "$@" --label "$PAIR_LABEL" --port "$port" --control-port "$control" --server-pid "$pid"
  fi
  stop_servers
}

# start_client IMPL PORT C M LOG: starts one benchmark client JVM (io.gev.bench.client.BenchClient)
# pinned where servers go, with C connections to the echo server at PORT; prints "CONTROL PID".
start_client() {
  local impl=$1 port=$2 c=$3 m=$4 log=$5 ready="" pid
  "${SERVER_PIN[@]}" java $JVM_FLAGS $SERVER_FLAGS -cp "$JAR" io.gev.bench.client.BenchClient "$impl" "$port" "$c" "$m" "$LOOPS" > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    ready=$(grep -m1 '^READY' "$log" || true)
    [ -n "$ready" ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  if [[ "$ready" != READY* ]]; then
    echo "  client $impl did not start (see $log)" >&2
    kill "$pid" 2> /dev/null || true
    return 0
  fi
  echo "$(sed -E 's/.* control=([0-9]+).*/\1/' <<< "$ready") $pid"
}

# run_clients SCENARIO ARGS...: the client rows. The measured processes are the two clients (gev's
# Client and Netty's Bootstrap, pinned on the servers' CPU), bouncing messages off one Netty echo
# server (on the load generator's CPU); the load generator only tells them when to take turns.
run_clients() {
  local scenario=$1 base s c m a b port
  shift
  base="$OUT/r$round-$(echo "$scenario" | tr ' =' '__')"
  c=$(sed -E 's/.*-c ([0-9]+).*/\1/' <<< "$*")
  m=$(sed -E 's/.*-m ([0-9]+).*/\1/' <<< "$*")
  wait_quiet
  s=$(SERVER_PIN=("${CLIENT_PIN[@]}"); start_server netty "$JAR" "$base.echo-server.log")
  [ -n "$s" ] || return 0
  SERVER_PIDS+=("${s##* }")
  read -r port _ _ <<< "$s"
  a=$(start_client gev "$port" "$c" "$m" "$base.gev.client.log")
  [ -n "$a" ] && SERVER_PIDS+=("${a##* }")
  b=$(start_client netty "$port" "$c" "$m" "$base.netty.client.log")
  [ -n "$b" ] && SERVER_PIDS+=("${b##* }")
  if [ -n "$a" ] && [ -n "$b" ]; then
    read -r control pid <<< "$a"
    read -r controlb pidb <<< "$b"
    load "$base.log" "$@" --port "$port" --port-b "$port" --label gev --control-port "$control" --server-pid "$pid" \
      --label-b netty --control-port-b "$controlb" --server-pid-b "$pidb"
  fi
  stop_servers
}

# run_group SCENARIO ARGS...: the WebSocket group rows (io.gev.bench.cluster.GroupBench): a
# broadcast to N sessions, gev's group and Netty's ChannelGroup one after the other (the clients in a
# JVM of their own), or the latency of a cluster-wide group message through a redis-server it starts.
GROUP_RESULTS="$OUT/group.txt"
run_group() {
  local scenario=$1 kind=$2 base impl
  shift 2
  base="$OUT/r$round-$(echo "$scenario" | tr ' =' '__')"
  if [ "$kind" = redis ]; then
    if [ ! -x /usr/bin/redis-server ]; then
      echo "  no /usr/bin/redis-server: skipped" >&2
      return 0
    fi
    wait_quiet
    timeout 300 "${SERVER_PIN[@]}" java $JVM_FLAGS -cp "$JAR" io.gev.bench.cluster.GroupBench redis "$@" > "$base.log" 2>&1 \
      || echo "  failed (see $base.log)" >&2
  else
    for impl in gev netty; do
      wait_quiet
      timeout 300 "${SERVER_PIN[@]}" java $JVM_FLAGS -Dgev.bench.client.cpu="${CLIENT_PIN[2]:-}" \
        -cp "$JAR" io.gev.bench.cluster.GroupBench broadcast "$impl" "$@" \
        > "$base.$impl.log" 2>&1 || echo "  $impl failed (see $base.$impl.log)" >&2
    done
  fi
  grep -h '^GROUP ' "$base"*.log | sed "s/^GROUP /GROUP round=$round /" | tee -a "$GROUP_RESULTS" | sed 's/^/  /' >&2 || true
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)" | tee "$OUT/machine.txt" >&2
echo "pinning: server ${SERVER_PIN[*]:-none}, client ${CLIENT_PIN[*]:-none}; loops $LOOPS; offload threads $OFFLOAD_THREADS; rounds $ROUNDS; warm-up $WARMUP s; measured $DURATION s; JVM $JVM_FLAGS" | tee -a "$OUT/machine.txt" >&2

for round in $(seq 1 "$ROUNDS"); do
  for entry in "${SCENARIOS[@]}"; do
    scenario=${entry%%|*}
    args=${entry#*|}
    if [ -n "$ONLY" ] && ! [[ "$scenario" =~ $ONLY ]]; then
      continue
    fi
    echo "round $round/$ROUNDS: $scenario" >&2
    gev=gev
    peer=${PEER_IMPL:-netty}
    PAIR_JAR=$PEER_JAR
    PAIR_LABEL=$PEER_LABEL
    if [[ "$scenario" == unix-* ]]; then
      # gev over a Unix domain socket against gev over TCP loopback, both of this build.
      gev=gev-unix
      peer=gev
      PAIR_JAR=$JAR
      PAIR_LABEL=gev-tcp
    fi
    SCENARIO_WARMUP=$WARMUP
    if [[ "$scenario" == ws* ]]; then
      gev=gev-ws
      peer=${PEER_IMPL:-netty}-ws
    elif [[ "$scenario" == udp-* ]]; then
      gev=gev-udp
      peer=${PEER_IMPL:-netty}-udp
    elif [[ "$scenario" == offload-* ]]; then
      gev=gev-offload
      peer=${PEER_IMPL:-netty}-offload
    elif [[ "$scenario" == tls-* ]]; then
      gev=gev-tls
      peer=${PEER_IMPL:-netty}-tls
      if [[ "$scenario" == tls-openssl-* ]]; then
        # Both on OpenSSL's engine (netty-tcnative-boringssl-static).
        gev=gev-tls-openssl
        peer=${PEER_IMPL:-netty}-tls-openssl
      fi
      [ -f "$KEYSTORE" ] || java -cp "$JAR" io.gev.bench.server.BenchCertificate "$KEYSTORE"
      if awk -v w="$WARMUP" -v m="$TLS_MIN_WARMUP" 'BEGIN { exit !(w < m) }'; then
        SCENARIO_WARMUP=$TLS_MIN_WARMUP
        echo "  warm-up $SCENARIO_WARMUP s for TLS (TLS_MIN_WARMUP)" >&2
      fi
    fi
    if [[ "$scenario" == group-* ]]; then
      run_group "$scenario" $args
    elif [[ "$scenario" == client-* ]]; then
      run_clients "$scenario" $args
    elif [[ "$args" != *"--idle"* ]]; then
      run_pair "$scenario" "$gev" "$peer" $args
    elif [ $((round % 2)) = 1 ]; then
      # Idle memory: one server at a time, alternating who goes first.
      run_one gev "$gev" "$JAR" "$scenario" $args
      run_one "$PEER_LABEL" "$peer" "$PEER_JAR" "$scenario" $args
    else
      run_one "$PEER_LABEL" "$peer" "$PEER_JAR" "$scenario" $args
      run_one gev "$gev" "$JAR" "$scenario" $args
    fi
  done
done

java -cp "$JAR" io.gev.bench.load.Summary "$RESULTS" | tee "$OUT/table.md"
if [ -s "$GROUP_RESULTS" ]; then
  # One row per round and server: broadcast time (p50/p99 per broadcast, ns per delivered message at
  # the p50) or group message latency.
  {
    echo
    echo "| group scenario | server | round | p50 µs | p99 µs | ns per delivery (p50) / max µs |"
    echo "|---|---|---:|---:|---:|---:|"
    awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           extra = ("ns_per_delivery" in v) ? v["ns_per_delivery"] : v["max_us"]
           name = v["scenario"] (("sessions" in v) ? " sessions=" v["sessions"] : " messages=" v["messages"])
           printf "| %s | %s | %s | %s | %s | %s |\n", name, v["label"], v["round"], v["p50_us"], v["p99_us"], extra
           delete v }' "$GROUP_RESULTS"
  } | tee -a "$OUT/table.md"
fi
echo "results: $OUT" >&2
