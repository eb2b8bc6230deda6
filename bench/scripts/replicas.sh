#!/usr/bin/env bash
# The headline table: one three-node cluster, queues with 1, 2 and 3 replicas (chosen by
# policies, as an operator would), the same load on each in turn, plus the 3-replica queue
# with ack-mode local. One JSON summary per run in OUT; summarise with summarise.py.
#   bench/scripts/replicas.sh OUT [SECONDS] [ROUNDS] [WARMUP]
# WARMUP (seconds, default 120) is one run on a throwaway queue first: the node JVMs spend
# their first minutes compiling (C2 took 30-47 % of node CPU for over a minute in one profile),
# and a table taken before that measures the JIT, not qraft.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-20}"; rounds="${3:-1}"; warmup="${4:-120}"
whole_numbers replicas.sh SECONDS="$seconds" ROUNDS="$rounds" WARMUP="$warmup"
dir="$(mktemp -d)"
mkdir -p "$out"
cluster_up "$dir"
ctl() { "$dist/bin/qraftctl" --node 127.0.0.1:7791 "$@"; }
ctl set_policy one '^r1\.' '{"ha-mode":"exactly","ha-params":1}' > /dev/null
ctl set_policy two '^r2\.' '{"ha-mode":"exactly","ha-params":2}' > /dev/null
perf() { "$dist/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 "$@"; }
if [ "$warmup" -gt 0 ]; then
  perf -u warmup --ack-mode quorum -z "$warmup" --format json > "$out/warmup.json"
fi
for round in $(seq 1 "$rounds"); do
  # Interleaved, so that a slow patch of the machine does not land on one kind of queue only.
  for run in r1.quorum r2.quorum r3.quorum r3.local; do
    queue="${run%%.*}.q$round-${run#*.}"
    mode="${run#*.}"
    perf -u "$queue" --ack-mode "$mode" -z 5 > /dev/null               # warm-up, same queue
    perf -u "$queue" --ack-mode "$mode" -z "$seconds" --format json > "$out/$run.$round.json"
    echo "$run round $round: $(python3 -c "import json,sys; d=json.load(open('$out/$run.$round.json')); print(int(d['confirmed_per_s']), 'confirmed/s, p50', d['confirm_latency_ms']['p50'], 'ms')")"
  done
done
ctl list_queues name replicas leader > "$out/queues.txt"
