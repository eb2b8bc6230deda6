#!/usr/bin/env bash
# What queue limits cost: the headline load on one three-node cluster, against a queue without
# limits ("none") and one with message-ttl and a length limit set ("limits": message-ttl=60000,
# max-length=1000000, so that every delivery is checked against both but nothing expires or
# overflows at this rate). Both queues live in the same cluster, warmed together; runs
# alternate none/limits, then limits/none, round by round, so that the machine's drift falls on
# both. Before warming, one run of each on the cold cluster gives the cold figure.
#   bench/scripts/limits.sh OUT [SECONDS] [ROUNDS] [WARMUP]
# Load: qraft-perf -x 1 -y 1 -s 1000 -c 64 -q 200 on a 3-replica quorum queue, WARMUP +
# SECONDS (defaults 10 + 60) of which qraft-perf summarises the last SECONDS. Writes
# OUT/{none,limits}.ROUND.json (qraft-perf's summary; round 0 is the cold run) and .cpu (node
# CPU seconds of the measured part); prints a line per run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-60}"; rounds="${3:-4}"; warmup="${4:-10}"
whole_numbers limits.sh SECONDS="$seconds" ROUNDS="$rounds" WARMUP="$warmup"
mkdir -p "$out"
. "$root/bench/scripts/nodes.sh"
dir="$(mktemp -d)"
cluster_up "$dir" > /dev/null
queue=none
perf() {
  if [ "$queue" = none ]; then
    "$dist/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u bench-none "$@"
  else
    "$dist/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u bench-limits \
      --queue-argument message-ttl=60000 --queue-argument max-length=1000000 "$@"
  fi
}
for queue in none limits; do
  measured_run "$queue" 0
done
echo "warming the cluster on both queues" >&2
both() { queue=none; perf "$@"; queue=limits; perf "$@"; }
warm_until_jit_quiet both -z 15
for round in $(seq 1 "$rounds"); do
  order="none limits"; [ $((round % 2)) -eq 0 ] && order="limits none"
  for queue in $order; do
    measured_run "$queue" "$round"
  done
done
python3 - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rate = lambda name, r: json.load(open(f"{out}/{name}.{r}.json"))["confirmed_per_s"]
cold = rate("limits", 0) / max(1, rate("none", 0))
warm = [rate("limits", r) / max(1, rate("none", r)) for r in range(1, rounds + 1)]
print(f"limits/none confirmed/s: cold {cold:.3f}; warm rounds " + " ".join(f"{w:.3f}" for w in warm)
      + f"; warm mean {sum(warm) / len(warm):.3f}")
PY
