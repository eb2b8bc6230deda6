#!/usr/bin/env bash
# The headline table on one three-node cluster: first the first minute of the fresh cluster
# (a 3-replica quorum queue at -c 64 from the moment the nodes answer: the cold figure), then,
# once load has run until the nodes' JIT compilers are quiet (see nodes.sh), per round: a
# 1-replica and a 3-replica quorum queue and a 3-replica local queue under qraft-perf -x 1 -y 1
# -s 1000 -q 200 at -c 64, the two 3-replica queues at -c 1 (one publish in flight: the latency
# of one entry), and 100 3-replica queues with 10 producers and 10 consumers at -c 64.
#   bench/scripts/headline.sh OUT [SECONDS] [ROUNDS] [COLD]
# Writes OUT/<run>.<round>.json (qraft-perf's summary) and .cpu (node CPU milliseconds of the
# measured part, per node), OUT/cold.json, OUT/queues.txt (the leader of each queue), and with
# headline_report.py OUT/headline.md (the table, with the targets) and OUT/headline.svg (msg/s
# and p99 per case); prints a line per run and the table.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-30}"; rounds="${3:-2}"; cold="${4:-60}"
whole_numbers headline.sh SECONDS="$seconds" ROUNDS="$rounds" COLD="$cold"
if (( seconds < 1 || rounds < 1 )); then echo "headline.sh: SECONDS and ROUNDS must be at least 1" >&2; exit 2; fi
mkdir -p "$out"
dir="$(mktemp -d)"
cluster_up "$dir"
. "$root/bench/scripts/nodes.sh"
tick="$(getconf CLK_TCK)"
"$dist/bin/qraftctl" --node 127.0.0.1:7791 set_policy one '^r1\.' '{"ha-mode":"exactly","ha-params":1}' > /dev/null
# One producer and one consumer unless a run says otherwise (qraft-perf's defaults).
perf() { "$dist/bin/qraft-perf" "${nodes[@]}" -s 1000 -q 200 "$@"; }
# The cold figure: nothing has run on these JVMs yet.
perf -u r3.cold -c 64 -z "$cold" --format json > "$out/cold.json" 2> "$out/cold.log"
echo "first $cold s of the fresh cluster: $(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["confirmed_per_s"]))' "$out/cold.json") confirmed/s"
# Both kinds of queue warm: a 1-replica group and a 3-replica group take different paths.
warm_pair() { perf -u r1.warm -c 64 -z 15 && perf -u r3.warm -c 64 -z 15; }
warm_until_jit_quiet warm_pair || exit 1
for round in $(seq 1 "$rounds"); do
  for run in r1.quorum.c64 r3.quorum.c64 r3.local.c64 r3.quorum.c1 r3.local.c1 r3.many.c64; do
    IFS=. read -r replicas mode confirms <<< "$run"
    shape=(--ack-mode "$mode")
    [ "$mode" = many ] && shape=(--queues 100 -x 10 -y 10)
    perf -u "$replicas.$mode.$confirms.$round" "${shape[@]}" -c "${confirms#c}" --warmup 5 -z "$seconds" \
      --format json > "$out/$run.$round.json" 2> "$out/$run.$round.log" &
    pid=$!
    until grep -q '^# warm-up over' "$out/$run.$round.log" 2> /dev/null || ! kill -0 "$pid" 2> /dev/null; do
      sleep 0.2
    done
    before=($(node_cpu_each))
    wait "$pid"
    after=($(node_cpu_each))
    for k in 0 1 2; do echo $(( (${after[$k]} - ${before[$k]}) * 1000 / tick )); done > "$out/$run.$round.cpu"
    python3 - "$out/$run.$round.json" "$out/$run.$round.cpu" "$run" "$round" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); cpu = [int(x) for x in open(sys.argv[2]).read().split()]
l = d["confirm_latency_ms"]
print(f"{sys.argv[3]} round {sys.argv[4]}: {d['confirmed_per_s']:.0f} confirmed/s, {d['received_per_s']:.0f} received/s,"
      f" p50 {l['p50']} ms, p99 {l['p99']} ms, errors {d['errors']}, node CPU {'+'.join(map(str, cpu))} ms"
      f" = {sum(cpu) * 1e3 / max(1, d['confirmed']):.0f} us per confirmed message")
PY
  done
done
"$dist/bin/qraftctl" --node 127.0.0.1:7791 list_queues name replicas leader > "$out/queues.txt"
python3 "$root/bench/scripts/headline_report.py" "$out" "$rounds"
