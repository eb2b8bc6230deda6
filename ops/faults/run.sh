#!/usr/bin/env bash
# Jepsen-style fault suite for qraft: three nodes in three network namespaces, clients in a
# fourth, a seeded fault schedule, a total-queue checker. The nodes run with TLS and users,
# as in production. See ops/faults/README.md.
#
#   ops/faults/run.sh --runs N --seconds T [--seed S] [--interval I] [--corruption] [--kinds k1,k2] [--out DIR]
#                     [--workload standard|dead-letter]
#
# Every option goes to the suite as it is (FaultSuiteCommand lists them all).
#
# The last line printed is the verdict (PASS|FAIL ...), or "SKIP: ..." (exit 0) without root.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the qraft fault suite needs root (network namespaces, nft, faketime); not run"
  exit 0
fi

need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v faketime >/dev/null 2>&1 || need+=(faketime)
# Each run makes its own CA and node certificates (the distribution's bin/qraft-certs).
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y "${need[@]}" >/dev/null; } \
    || { echo "FAIL: could not install ${need[*]}"; exit 1; }
fi

# The nodes run from the distribution (what operators install); the suite itself from
# ops/faults/target (its jar and lib/), which the distribution does not ship.
DIST="$ROOT/ops/target/qraft"
SUITE="$ROOT/ops/faults/target"
if ! ls "$DIST"/lib/qraft-server-*.jar >/dev/null 2>&1 || ! ls "$SUITE"/qraft-faults-*.jar >/dev/null 2>&1; then
  echo "building the distribution and the suite (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package -pl ops/dist,ops/faults -am >/dev/null || { echo "FAIL: build failed"; exit 1; }
fi

NS_NODES=(qn1 qn2 qn3)
NS_ALL=(qsw qn1 qn2 qn3 qc)
SUITE_PID=""

teardown() {
  # Only what this script created: the suite JVM, and processes inside its own namespaces.
  if [ -n "$SUITE_PID" ] && kill -0 "$SUITE_PID" 2>/dev/null; then
    kill -TERM "$SUITE_PID" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$SUITE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$SUITE_PID" 2>/dev/null
  fi
  for ns in "${NS_ALL[@]}"; do
    if ip netns list | grep -w "^$ns" >/dev/null; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do
        kill -CONT "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null
      done
    fi
  done
  sleep 0.5
  for ns in "${NS_ALL[@]}"; do ip netns del "$ns" 2>/dev/null; done
}

setup() {
  teardown   # leftovers of an earlier, interrupted run of this suite (same names)
  ip netns add qsw || return 1
  ip -n qsw link add br0 type bridge && ip -n qsw link set br0 up || return 1
  local i=1
  for ns in qn1 qn2 qn3 qc; do
    local addr="10.213.0.$i"; [ "$ns" = qc ] && addr="10.213.0.10"
    ip netns add "$ns" || return 1
    ip -n qsw link add "p$i" type veth peer name eth0 netns "$ns" || return 1
    ip -n qsw link set "p$i" master br0 && ip -n qsw link set "p$i" up || return 1
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" addr add "$addr/24" dev eth0 && ip -n "$ns" link set eth0 up || return 1
    i=$((i + 1))
  done
  # No namespace has a default route: nothing can leave 10.213.0.0/24.
}

trap 'teardown' EXIT
trap 'exit 130' INT TERM

setup || { echo "FAIL: could not set up the network namespaces"; exit 1; }

JAVA="$(command -v java)"
SUITE_JAR="$(ls "$SUITE"/qraft-faults-*.jar | sed -n 1p)"
LOG=$(mktemp)
ip netns exec qc "$JAVA" -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlogback.configurationFile="$DIST/conf/logback-tools.xml" -Dqraft.log.level=WARN \
  -cp "$SUITE/lib/*:$SUITE_JAR" io.qraft.ops.faults.FaultSuite --dist "$DIST" "$@" 2>&1 | tee "$LOG" &
SUITE_PID=""
wait $!
rc=${PIPESTATUS[0]}
last=$(grep -E '^(PASS|FAIL) runs=' "$LOG" | tail -1)
rm -f "$LOG"
trap - EXIT
teardown
if [ -z "$last" ]; then
  echo "FAIL runs=0 faults=0 confirmed=0 lost=0 unexpected=0 duplicates=0 redelivered_after_ack=0 divergent_replicas=0 report=none (the suite ended without a verdict)"
  exit 1
fi
echo "$last"
case "$last" in PASS*) exit 0 ;; *) exit 1 ;; esac
