#!/usr/bin/env bash
# The SDK's publish batching, on and off, under the headline load, on one three-node cluster:
# 1-replica and 3-replica quorum queues and a 3-replica local queue, each with qraft-perf
# --client-batch 1 (one message per request) and 128 (the SDK default), interleaved.
#   bench/scripts/client-batch.sh OUT [SECONDS] [ROUNDS] [WARMUP]
# Writes OUT/<replicas>.<mode>.cb<N>.<round>.json and prints a line per run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-20}"; rounds="${3:-1}"; warmup="${4:-60}"
whole_numbers client-batch.sh SECONDS="$seconds" ROUNDS="$rounds" WARMUP="$warmup"
dir="$(mktemp -d)"
mkdir -p "$out"
cluster_up "$dir"
ctl() { "$dist/bin/qraftctl" --node 127.0.0.1:7791 "$@"; }
ctl set_policy one '^r1\.' '{"ha-mode":"exactly","ha-params":1}' > /dev/null
perf() { "$dist/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 "$@"; }
if [ "$warmup" -gt 0 ]; then
  perf -u warmup --ack-mode quorum -z "$warmup" --format json > "$out/warmup.json"
fi
for round in $(seq 1 "$rounds"); do
  for run in r1.quorum.cb1 r1.quorum.cb128 r3.quorum.cb1 r3.quorum.cb128 r3.local.cb1 r3.local.cb128; do
    IFS=. read -r replicas mode cb <<< "$run"
    queue="$replicas.q$round-$mode-$cb"
    # Each run is a fresh qraft-perf JVM: its first seconds measure its JIT, so they are left out.
    perf -u "$queue" --ack-mode "$mode" --client-batch "${cb#cb}" --warmup 10 -z "$seconds" --format json \
      > "$out/$run.$round.json" 2> "$out/$run.$round.log"
    echo "$run round $round: $(python3 -c "import json; d=json.load(open('$out/$run.$round.json')); l=d['confirm_latency_ms']; print(int(d['confirmed_per_s']), 'confirmed/s,', int(d['received_per_s']), 'received/s, p50', l['p50'], 'p99', l['p99'], 'ms, errors', d['errors'])")"
  done
done
ctl list_queues name replicas leader > "$out/queues.txt"
