#!/usr/bin/env bash
# Two builds under the headline load, each on a three-node cluster of its own, side by side and
# both warmed until their JIT is quiet: what a change is worth once the nodes are compiled, with
# each node's CPU by its role. Runs alternate base/candidate, then candidate/base, round by
# round, so that the machine's drift falls on both.
#   bench/scripts/warm-builds.sh BASE_DIST OUT [SECONDS] [ROUNDS] [WARMUP]
# BASE_DIST is an unpacked distribution of the earlier build; the candidate is ops/target/qraft,
# whose qraft-perf drives both. Load: one 3-replica quorum queue per cluster, qraft-perf -x 1
# -y 1 -s 1000 -c 64 -q 200, WARMUP + SECONDS (defaults 10 + 30) of which qraft-perf summarises
# the last SECONDS. Writes OUT/{base,candidate}.ROUND.json (qraft-perf's summary) and
# .cpu (CPU seconds of each node in the measured part, the queue's leader first); prints a line
# per run with the leader's and the followers' CPU per message.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
candidate="$dist"
base="${1:?BASE_DIST}"; out="${2:?OUT}"; seconds="${3:-30}"; rounds="${4:-2}"; warmup="${5:-10}"
whole_numbers warm-builds.sh SECONDS="$seconds" ROUNDS="$rounds" WARMUP="$warmup"
if [ ! -x "$base/bin/qraft-server" ]; then
  echo "warm-builds.sh: BASE_DIST '$base' is not an unpacked qraft distribution (no bin/qraft-server)" >&2
  exit 2
fi
mkdir -p "$out"
. "$root/bench/scripts/nodes.sh"
base_dir="$(mktemp -d)"; cand_dir="$(mktemp -d)"
# base on cluster.sh's usual ports, the candidate ten ports up.
base_nodes=("${nodes[@]}")
cand_nodes=(--node 127.0.0.1:7801 --node 127.0.0.1:7802 --node 127.0.0.1:7803)
trap 'BENCH_DIST="$base" "$root/bench/scripts/cluster.sh" down "$base_dir"; BENCH_PORT_OFFSET=10 "$root/bench/scripts/cluster.sh" down "$cand_dir"' EXIT
BENCH_DIST="$base" "$root/bench/scripts/cluster.sh" up "$base_dir" 3 > /dev/null
BENCH_PORT_OFFSET=10 "$root/bench/scripts/cluster.sh" up "$cand_dir" 3 > /dev/null

# use base|candidate: points perf, the warm-up and the CPU readings at that cluster.
use() {
  if [ "$1" = base ]; then dir="$base_dir"; nodes=("${base_nodes[@]}"); else dir="$cand_dir"; nodes=("${cand_nodes[@]}"); fi
}
perf() { "$candidate/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u headline "$@"; }
leader() {
  "$candidate/bin/qraftctl" "${nodes[@]}" --timeout 10 list_queues name leader --format json \
    | python3 -c 'import json,sys; q=[x for x in json.load(sys.stdin) if x["name"]=="headline"]; print(q[0]["leader"][1:] if q else "")'
}
for build in base candidate; do
  use "$build"
  echo "warming the $build cluster" >&2
  warm_until_jit_quiet perf -z 30
done
tick="$(getconf CLK_TCK)"
for round in $(seq 1 "$rounds"); do
  order="base candidate"; [ $((round % 2)) -eq 0 ] && order="candidate base"
  for build in $order; do
    use "$build"
    lead="$(leader)"
    perf --warmup "$warmup" -z "$seconds" --format json > "$out/$build.$round.json" 2> "$out/$build.$round.log" &
    pid=$!
    until grep -q '^# warm-up over' "$out/$build.$round.log" 2> /dev/null || ! kill -0 "$pid" 2> /dev/null; do
      sleep 0.2
    done
    before=($(node_cpu_each))
    wait "$pid"
    after=($(node_cpu_each))
    # The queue's leader first, then its two followers.
    for k in 1 2 3; do
      [ "$k" = "$lead" ] && echo $(( (${after[$((k-1))]} - ${before[$((k-1))]}) * 1000 / tick ))
    done > "$out/$build.$round.cpu"
    for k in 1 2 3; do
      [ "$k" != "$lead" ] && echo $(( (${after[$((k-1))]} - ${before[$((k-1))]}) * 1000 / tick ))
    done >> "$out/$build.$round.cpu"
    python3 - "$out/$build.$round.json" "$out/$build.$round.cpu" "$build" "$round" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); ms = [int(x) for x in open(sys.argv[2]).read().split()]
l = d["confirm_latency_ms"]; n = max(1, d["confirmed"])
per = lambda m: 1000.0 * m / n  # CPU microseconds per confirmed message
fol = sum(ms[1:]) / max(1, len(ms) - 1)
print(f"{sys.argv[3]:9} round {sys.argv[4]}: {d['confirmed_per_s']:8.0f} confirmed/s {d['received_per_s']:8.0f} received/s"
      f"  p50 {l['p50']:6.2f} p99 {l['p99']:6.2f} ms  node CPU us/msg: leader {per(ms[0]):5.0f}"
      f" followers {per(fol):5.0f} ({fol / max(1, ms[0]):.2f}x) total {per(sum(ms)):5.0f}")
PY
  done
done
