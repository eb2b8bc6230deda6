#!/usr/bin/env bash
# Two builds under the headline load, interleaved, each run on a fresh three-node cluster of its
# own build: the way to tell what a change is worth on a machine whose speed drifts.
#   bench/scripts/builds.sh BASE_DIST OUT [SECONDS] [ROUNDS] [WARMUP]
# BASE_DIST is an unpacked distribution of the earlier build (a copy of ops/target/qraft made
# before the change); the candidate is ops/target/qraft. Load: one 3-replica quorum queue,
# qraft-perf -x 1 -y 1 -s 1000 -c 64 -q 200 (the candidate's qraft-perf for both), one run of
# WARMUP + SECONDS (defaults 30 + 60) of which qraft-perf summarises the last SECONDS.
# Writes OUT/{base,candidate}.ROUND.json (qraft-perf's summary) and .cpu (CPU seconds the three
# node processes used in the measured part); prints a line per run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
candidate="$root/ops/target/qraft"
base="${1:?BASE_DIST}"; out="${2:?OUT}"; seconds="${3:-60}"; rounds="${4:-3}"; warmup="${5:-30}"
whole_numbers builds.sh SECONDS="$seconds" ROUNDS="$rounds" WARMUP="$warmup"
if [ ! -x "$base/bin/qraft-server" ]; then
  echo "builds.sh: BASE_DIST '$base' is not an unpacked qraft distribution (no bin/qraft-server)" >&2
  exit 2
fi
mkdir -p "$out"
dir=""
trap '[ -z "$dir" ] || "$root/bench/scripts/cluster.sh" down "$dir"' EXIT
perf() { "$candidate/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u headline "$@"; }
. "$root/bench/scripts/nodes.sh"
for round in $(seq 1 "$rounds"); do
  for build in base candidate; do
    dist="$candidate"; [ "$build" = base ] && dist="$base"
    dir="$(mktemp -d)"
    BENCH_DIST="$dist" "$root/bench/scripts/cluster.sh" up "$dir" 3 > /dev/null
    measured_run "$build" "$round"
    "$root/bench/scripts/cluster.sh" down "$dir"; dir=""
  done
done
