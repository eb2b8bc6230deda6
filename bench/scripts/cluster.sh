#!/usr/bin/env bash
# Starts or stops a benchmark cluster of separate node JVMs on loopback, on ports away from
# qraft-local's (gRPC 7791.., Raft 7891.., HTTP 15791..; BENCH_PORT_OFFSET moves all three, so
# that two clusters can run side by side), with small heaps. The nodes authenticate their
# clients: 'up' makes the first administrator (every permission) QRAFT_USER / QRAFT_PASSWORD
# (args.sh exports them; default bench and a random password) through DIR/credentials.
#   bench/scripts/cluster.sh up DIR NODES [key=value ...]   e.g. up /tmp/qc 3 shards.per_replica_set=6
#   bench/scripts/cluster.sh kill DIR K      kill -9 node nK (its data stays)
#   bench/scripts/cluster.sh start DIR K     start node nK again on its data
#   bench/scripts/cluster.sh down DIR
# Node JVM options: BENCH_NODE_JVM_OPTS (default: the distribution's, QRAFT_JVM_OPTS in conf/qraft-env.sh); log level: BENCH_LOG_LEVEL (WARN);
# logging configuration: BENCH_LOGBACK (the distribution's conf/logback.xml), e.g. one with Ratis at DEBUG for a trace;
# the distribution: BENCH_DIST (ops/target/qraft), e.g. a copy of an earlier build to compare two builds in one run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dist="${BENCH_DIST:-$root/ops/target/qraft}"
cmd="${1:?up|kill|start|down}"; dir="${2:?DIR}"
offset="${BENCH_PORT_OFFSET:-0}"
grpc_base=$((7790 + offset)); raft_base=$((7890 + offset)); http_base=$((15790 + offset))

launch() {
  local d="$dir/n$1"
  # shellcheck disable=SC2086
  nohup java ${BENCH_NODE_JVM_OPTS:-$(. "$dist/conf/qraft-env.sh"; echo "$QRAFT_JVM_OPTS")} \
    -Dlogback.configurationFile="${BENCH_LOGBACK:-$dist/conf/logback.xml}" -Dqraft.log.level=${BENCH_LOG_LEVEL:-WARN} \
    -cp "$dist/lib/*" io.qraft.ops.server.ServerMain --config "$d/qraft.conf" \
    >> "$d/node.log" 2>&1 &
  echo $! > "$d/pid"
}

case "$cmd" in
  up)
    n="${3:?NODES}"; shift 3
    # Another cluster on these ports would answer the readiness check below for this one.
    if (exec 3<> "/dev/tcp/127.0.0.1/$((grpc_base + 1))") 2> /dev/null; then
      echo "port $((grpc_base + 1)) is in use (another benchmark cluster?); take it down first" >&2; exit 1
    fi
    members=""
    for k in $(seq 1 "$n"); do
      members+="${members:+, }n$k@127.0.0.1:$((grpc_base + k)):$((raft_base + k))"
    done
    mkdir -p "$dir"
    export QRAFT_USER="${QRAFT_USER:-bench}"
    export QRAFT_PASSWORD="${QRAFT_PASSWORD:-bench-$RANDOM$RANDOM$RANDOM}"
    ( umask 077; printf '%s:%s\n' "$QRAFT_USER" "$QRAFT_PASSWORD" > "$dir/credentials" )
    for k in $(seq 1 "$n"); do
      d="$dir/n$k"; mkdir -p "$d/data"
      {
        echo "node.id = n$k"
        echo "node.data_dir = $d/data"
        echo "listeners.grpc = 127.0.0.1:$((grpc_base + k))"
        echo "listeners.raft = 127.0.0.1:$((raft_base + k))"
        echo "listeners.http = 127.0.0.1:$((http_base + k))"
        echo "cluster.nodes = $members"
        # (A distribution from before users knows no such key, and needs none.)
        if grep -q 'auth.bootstrap_file' "$dist/conf/qraft.conf"; then echo "auth.bootstrap_file = $dir/credentials"; fi
        for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
      } > "$d/qraft.conf"
      launch "$k"
    done
    # Ready when the node answers cluster_status to the administrator (bounded: 60 s).
    for _ in $(seq 1 120); do
      if "$dist/bin/qraftctl" --node "127.0.0.1:$((grpc_base + 1))" cluster_status > /dev/null 2>&1; then
        echo "cluster of $n up in $dir"; exit 0
      fi
      sleep 0.5
    done
    echo "cluster did not come up; see $dir/n*/node.log" >&2; exit 1 ;;
  kill)
    k="${3:?K}"; p="$dir/n$k/pid"
    [[ -f "$p" ]] && kill -9 "$(cat "$p")" 2>/dev/null || true
    rm -f "$p" ;;
  start)
    k="${3:?K}"
    [[ -f "$dir/n$k/qraft.conf" ]] || { echo "no node n$k in $dir" >&2; exit 1; }
    launch "$k" ;;
  down)
    for p in "$dir"/n*/pid; do
      [[ -f "$p" ]] || continue
      pid="$(cat "$p")"; kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true; rm -f "$p"
    done
    rm -rf "$dir" ;;
  *) echo "usage: $0 up DIR NODES [key=value ...] | kill DIR K | start DIR K | down DIR" >&2; exit 2 ;;
esac
