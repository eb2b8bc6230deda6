#!/usr/bin/env bash
# The first minute of a fresh cluster against the same cluster warmed: the headline load
# (one 3-replica quorum queue, qraft-perf -x 1 -y 1 -s 1000 -c 64 -q 200) from the moment the
# three new node JVMs answer, for COLD seconds (default 60), then warm-up loads until the JIT is
# quiet (nodes.sh), then WARM seconds (default 30) measured after a 5 s warm-up.
#   bench/scripts/cold.sh OUT [COLD] [WARM] [key=value ...]
# The nodes' JVM options are the distribution's unless BENCH_NODE_JVM_OPTS is set (cluster.sh):
# the way to compare compiler settings. Writes OUT/cold.json, OUT/warm.json (qraft-perf's
# summaries), OUT/cold.log (its per-second lines) and OUT/jit.txt (compile seconds per node
# after the cold run and at the end); prints the two rates and their ratio.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; cold="${2:-60}"; warm="${3:-30}"
whole_numbers cold.sh COLD="$cold" WARM="$warm"
shift $(( $# >= 3 ? 3 : $# ))
mkdir -p "$out"
dir="$(mktemp -d)"
cluster_up "$dir" "$@" > /dev/null
. "$root/bench/scripts/nodes.sh"
perf() { "$dist/bin/qraft-perf" "${nodes[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u cold "$@"; }
perf -z "$cold" --format json > "$out/cold.json" 2> "$out/cold.log"
echo "after the cold run: $(node_jit) s compiled over the three nodes" > "$out/jit.txt"
warm_until_jit_quiet perf -z 30
perf --warmup 5 -z "$warm" --format json > "$out/warm.json" 2> "$out/warm.log"
echo "at the end: $(node_jit) s" >> "$out/jit.txt"
python3 - "$out" "$cold" <<'PY'
import json, sys
out, cold_s = sys.argv[1], sys.argv[2]
c = json.load(open(out + "/cold.json")); w = json.load(open(out + "/warm.json"))
print(f"first {cold_s} s: {c['confirmed_per_s']:.0f} confirmed/s (p99 {c['confirm_latency_ms']['p99']:.1f} ms); "
      f"warm: {w['confirmed_per_s']:.0f} confirmed/s (p99 {w['confirm_latency_ms']['p99']:.1f} ms); "
      f"cold / warm {c['confirmed_per_s'] / max(1.0, w['confirmed_per_s']):.2f}")
PY
