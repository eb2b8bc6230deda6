# Sourced by the bench scripts: what the node processes of a cluster.sh cluster in $dir used.
# node_cpu_each: CPU used so far by each node, a line per node, in clock ticks; node_cpu: their sum.
# node_jit: seconds the nodes' JIT compilers have worked so far (jcmd's java.ci.totalTime), summed;
#   fails when a node does not answer.
# warm_until_jit_quiet LOAD...: runs the command LOAD... (a 30 s load) until one run adds less than
#   QUIET_JIT_S (default 2) seconds of compiling over the three nodes, at most WARM_RUNS (10) times.
#   A fresh node JVM spends 60-120 s of CPU compiling under load; on two cores that takes minutes,
#   and throughput measured before it ends is the JIT's, not the node's.
node_cpu_each() {
  local k
  for k in 1 2 3; do
    awk '{print $14 + $15}' "/proc/$(cat "$dir/n$k/pid")/stat"
  done
}

node_cpu() {
  node_cpu_each | awk '{ s += $1 } END { print s }'
}

node_jit() {
  local k
  for k in 1 2 3; do
    jcmd "$(cat "$dir/n$k/pid")" PerfCounter.print 2> /dev/null | sed -n 's/^java.ci.totalTime=//p'
  done | awk '{ s += $1; n++ } END { if (n < 3) exit 1; printf "%.1f\n", s / 1e9 }'
}

warm_until_jit_quiet() {
  local i before after
  for i in $(seq 1 "${WARM_RUNS:-10}"); do
    # A node that stopped has no compile time to read: without this check it would look quiet.
    before="$(node_jit)" || { echo "warm-up: a node of $dir is not running; see its node.log" >&2; return 1; }
    "$@" > /dev/null 2>&1 || true
    after="$(node_jit)" || { echo "warm-up: a node of $dir stopped; see its node.log" >&2; return 1; }
    echo "warm-up run $i: the nodes compiled for $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", a - b }') s" >&2
    if awk -v a="$after" -v b="$before" -v q="${QUIET_JIT_S:-2}" 'BEGIN { exit !(a - b < q) }'; then
      return 0
    fi
  done
  echo "warm-up: the JIT was still busy after ${WARM_RUNS:-10} runs; figures include compiling" >&2
}

# measured_run NAME ROUND: one run of the headline load (the function perf) on the cluster in $dir:
# WARMUP + SECONDS, of which qraft-perf summarises the last SECONDS; writes $out/NAME.ROUND.json,
# .log and .cpu (CPU seconds of the three nodes in the measured part) and prints a line.
measured_run() {
  local name="$1" round="$2" pid before after tick
  tick="$(getconf CLK_TCK)"
  perf --warmup "$warmup" -z "$seconds" --format json > "$out/$name.$round.json" 2> "$out/$name.$round.log" &
  pid=$!
  # The node CPU of the measured part: from the end of the warm-up to the end of the run.
  until grep -q '^# warm-up over' "$out/$name.$round.log" 2> /dev/null || ! kill -0 "$pid" 2> /dev/null; do
    sleep 0.2
  done
  before="$(node_cpu)"
  wait "$pid"
  after="$(node_cpu)"
  echo "$(( (after - before) / tick ))" > "$out/$name.$round.cpu"
  python3 - "$out/$name.$round.json" "$out/$name.$round.cpu" "$name" "$round" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); cpu = int(open(sys.argv[2]).read())
per = cpu * 1e6 / max(1, d["confirmed"])
print(f"{sys.argv[3]} round {sys.argv[4]}: {d['confirmed_per_s']:.0f} confirmed/s, p50 {d['confirm_latency_ms']['p50']} ms,"
      f" p99 {d['confirm_latency_ms']['p99']} ms, node CPU {cpu} s = {per:.0f} us per confirmed message,"
      f" errors {d['errors']}")
PY
}
