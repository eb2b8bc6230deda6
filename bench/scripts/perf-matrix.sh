#!/usr/bin/env bash
# The qraft-perf runs behind bench/RESULTS.md, one after another on one machine:
#   bench/scripts/perf-matrix.sh OUTDIR [SECONDS]
# Each run writes OUTDIR/NAME.json (qraft-perf --format json) and OUTDIR/NAME.mem (the nodes'
# heap and resident memory from qraftctl cluster_status right after the run).
set -euo pipefail
# QRAFT_USER / QRAFT_PASSWORD: the administrator cluster.sh makes, for qraft-perf and qraftctl.
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$root/ops/target/qraft/bin"
out="${1:?OUTDIR}"; secs="${2:-20}"
mkdir -p "$out"
cluster() { "$root/bench/scripts/cluster.sh" "$@"; }
nodes3=(--node 127.0.0.1:7791 --node 127.0.0.1:7792 --node 127.0.0.1:7793)
perf() { # NAME NODE-ARGS... -- PERF-ARGS...
  local name="$1"; shift
  "$bin/qraft-perf" "$@" -z "$secs" -u "$name" --format json > "$out/$name.json" 2> "$out/$name.log" || true
  "$bin/qraftctl" --node 127.0.0.1:7791 --format json cluster_status > "$out/$name.mem" 2>/dev/null || true
  echo "$name: $(cat "$out/$name.json")"
}
base=(-x 1 -y 1 -s 1000 -c 64 -q 200)

cluster up /tmp/qraft-perf-1 1
perf r1-quorum --node 127.0.0.1:7791 "${base[@]}"
cluster down /tmp/qraft-perf-1

cluster up /tmp/qraft-perf-3 3
perf r3-quorum "${nodes3[@]}" "${base[@]}"
perf r3-local "${nodes3[@]}" "${base[@]}" --ack-mode local
for b in 1 16 128; do
  perf r3-batch$b "${nodes3[@]}" "${base[@]}" --batch-size "$b"
done
for q in 1 10 100; do
  perf r3-queues$q "${nodes3[@]}" -x 2 -y 2 -s 100 -c 64 -q 200 --queues "$q"
done
cluster down /tmp/qraft-perf-3
