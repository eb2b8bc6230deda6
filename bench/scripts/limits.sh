#!/usr/bin/env bash
# What queue limits cost: the headline load on one queue of a three-node cluster, with a policy
# setting message-ttl and a length limit on it ("limits": message-ttl=60000, max-length=1000000,
# so that every delivery is checked against both but nothing expires or overflows at this rate)
# and without ("none": the policy cleared). One queue, so that both cases have the same shard
# and leader; the policy reaches the queue's limits within about a second (the leader's keeper),
# and each run waits 3 s after changing it. Runs alternate none/limits, then limits/none, round
# by round, so that the machine's drift falls on both. Before warming, one run of each on the
# cold cluster gives the cold figure.
#   bench/scripts/limits.sh OUT [SECONDS] [ROUNDS] [WARMUP]
# Load: qraft-perf -x 1 -y 1 -s 1000 -c 64 -q 200 on a 3-replica quorum queue, WARMUP +
# SECONDS (defaults 10 + 60) of which qraft-perf summarises the last SECONDS. Writes
# OUT/{none,limits}.ROUND.json (qraft-perf's summary; round 0 is the cold run) and .cpu (node
# CPU seconds of the measured part); prints a line per run and the ratios.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-60}"; rounds="${3:-4}"; warmup="${4:-10}"
whole_numbers limits.sh SECONDS="$seconds" ROUNDS="$rounds" WARMUP="$warmup"
mkdir -p "$out"
. "$root/bench/scripts/nodes.sh"
dir="$(mktemp -d)"
cluster_up "$dir" > /dev/null
ctl() { "$dist/bin/qraftctl" --node 127.0.0.1:7791 --timeout 30 "$@" > /dev/null; }
perf() { "$dist/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u bench-limits "$@"; }
# limits none|limits: sets or clears the policy, and gives the keeper time to apply it.
limits() {
  if [ "$1" = limits ]; then
    ctl set_policy limits '^bench-limits$' '{"message-ttl":60000,"max-length":1000000}'
  else
    ctl clear_policy limits 2> /dev/null || true
  fi
  sleep 3
}
perf -z 2 > /dev/null   # declares the queue
for case in none limits; do
  limits "$case"
  measured_run "$case" 0
done
echo "warming the cluster" >&2
limits none
warm_until_jit_quiet perf -z 30
for round in $(seq 1 "$rounds"); do
  order="none limits"; [ $((round % 2)) -eq 0 ] && order="limits none"
  for case in $order; do
    limits "$case"
    measured_run "$case" "$round"
  done
done
python3 - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rate = lambda name, r: json.load(open(f"{out}/{name}.{r}.json"))["confirmed_per_s"]
total = lambda name: sum(json.load(open(f"{out}/{name}.{r}.json"))["confirmed"] for r in range(1, rounds + 1))
cold = rate("limits", 0) / max(1, rate("none", 0))
warm = [rate("limits", r) / max(1, rate("none", r)) for r in range(1, rounds + 1)]
print(f"limits/none confirmed/s: cold {cold:.3f}; warm rounds " + " ".join(f"{w:.3f}" for w in warm)
      + f"; warm mean {sum(warm) / len(warm):.3f}; all warm messages {total('limits') / max(1, total('none')):.3f}")
PY
