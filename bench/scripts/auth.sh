#!/usr/bin/env bash
# What authentication costs: the headline load against two three-node clusters of this build
# running side by side, both warmed: one with auth.enabled = false ("off": qraft-perf sends no
# credentials), one with it on ("on": every call authenticated, every request's queue checked
# against the user's permissions, qraft-perf logging in as the cluster's administrator). Runs
# alternate off/on, then on/off, round by round, so that the machine's drift falls on both.
#   bench/scripts/auth.sh OUT [SECONDS] [ROUNDS] [WARMUP]
# Load: one 3-replica quorum queue per cluster, qraft-perf -x 1 -y 1 -s 1000 -c 64 -q 200,
# WARMUP + SECONDS (defaults 10 + 60) of which qraft-perf summarises the last SECONDS; before
# the rounds each cluster is warmed until its JIT is quiet (nodes.sh). Writes
# OUT/{off,on}.ROUND.json (qraft-perf's summary) and .cpu (node CPU seconds of the measured
# part); prints a line per run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-60}"; rounds="${3:-4}"; warmup="${4:-10}"
whole_numbers auth.sh SECONDS="$seconds" ROUNDS="$rounds" WARMUP="$warmup"
mkdir -p "$out"
. "$root/bench/scripts/nodes.sh"
off_dir="$(mktemp -d)"; on_dir="$(mktemp -d)"
# "off" on cluster.sh's usual ports, "on" ten ports up.
off_nodes=("${nodes[@]}")
on_nodes=(--node 127.0.0.1:7801 --node 127.0.0.1:7802 --node 127.0.0.1:7803)
trap '"$root/bench/scripts/cluster.sh" down "$off_dir"; BENCH_PORT_OFFSET=10 "$root/bench/scripts/cluster.sh" down "$on_dir"' EXIT
"$root/bench/scripts/cluster.sh" up "$off_dir" 3 auth.enabled=false > /dev/null
BENCH_PORT_OFFSET=10 "$root/bench/scripts/cluster.sh" up "$on_dir" 3 > /dev/null

# use off|on: points perf, measured_run and the warm-up at that cluster.
use() {
  if [ "$1" = off ]; then dir="$off_dir"; nodes=("${off_nodes[@]}"); else dir="$on_dir"; nodes=("${on_nodes[@]}"); fi
}
perf() {
  if [ "$dir" = "$off_dir" ]; then
    env -u QRAFT_USER -u QRAFT_PASSWORD "$dist/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u headline "$@"
  else
    "$dist/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u headline "$@"
  fi
}
for auth in off on; do
  use "$auth"
  echo "warming the $auth cluster" >&2
  warm_until_jit_quiet perf -z 30
done
for round in $(seq 1 "$rounds"); do
  order="off on"; [ $((round % 2)) -eq 0 ] && order="on off"
  for auth in $order; do
    use "$auth"
    measured_run "$auth" "$round"
  done
done
