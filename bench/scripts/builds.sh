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
tick="$(getconf CLK_TCK)"
. "$root/bench/scripts/nodes.sh"
for round in $(seq 1 "$rounds"); do
  for build in base candidate; do
    dist="$candidate"; [ "$build" = base ] && dist="$base"
    dir="$(mktemp -d)"
    BENCH_DIST="$dist" "$root/bench/scripts/cluster.sh" up "$dir" 3 > /dev/null
    perf --warmup "$warmup" -z "$seconds" --format json > "$out/$build.$round.json" 2> "$out/$build.$round.log" &
    pid=$!
    # The node CPU of the measured part: from the end of the warm-up to the end of the run.
    until grep -q '^# warm-up over' "$out/$build.$round.log" 2> /dev/null || ! kill -0 "$pid" 2> /dev/null; do
      sleep 0.2
    done
    before="$(node_cpu)"
    wait "$pid"
    after="$(node_cpu)"
    echo "$(( (after - before) / tick ))" > "$out/$build.$round.cpu"
    "$root/bench/scripts/cluster.sh" down "$dir"; dir=""
    python3 - "$out/$build.$round.json" "$out/$build.$round.cpu" "$build" "$round" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); cpu = int(open(sys.argv[2]).read())
per = cpu * 1e6 / max(1, d["confirmed"])
print(f"{sys.argv[3]} round {sys.argv[4]}: {d['confirmed_per_s']:.0f} confirmed/s, p50 {d['confirm_latency_ms']['p50']} ms,"
      f" p99 {d['confirm_latency_ms']['p99']} ms, node CPU {cpu} s = {per:.0f} us per confirmed message")
PY
  done
done
