#!/usr/bin/env bash
# How long new replicas take to catch up a backlog, and whether publishing pauses meanwhile.
# Fills a one-replica queue with COUNT messages of 1 KB, then raises its policy to three
# replicas with ha-sync-mode automatic while a producer keeps publishing to it, and times how
# long until list_queues shows all three replicas synchronised.
#   bench/scripts/catchup.sh OUT [COUNT]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; count="${2:-100000}"
whole_numbers catchup.sh COUNT="$count"
dir="$(mktemp -d)"
mkdir -p "$out"
cluster_up "$dir"
ctl() { "$dist/bin/qraftctl" --node 127.0.0.1:7791 "$@"; }
ctl set_policy catch '^catch\.' '{"ha-mode":"exactly","ha-params":1}' > /dev/null
# Messages as the queue's replica counts them (a node without a replica shows 0).
messages() {
  python3 - "$dist/bin/qraftctl" <<'PY'
import json, subprocess, sys
best = 0
for port in (7791, 7792, 7793):
    run = subprocess.run([sys.argv[1], "--node", f"127.0.0.1:{port}", "list_queues", "name", "messages",
                          "--format", "json"], capture_output=True, text=True)
    if run.returncode == 0:
        best = max([best] + [q["messages"] for q in json.loads(run.stdout) if q["name"] == "catch.q"])
print(best)
PY
}
while [ "$(messages)" -lt "$count" ]; do
  "$dist/bin/qraft-perf" "${nodes[@]}" -u catch.q -x 4 -c 256 -y 0 -s 1024 -z 15 > /dev/null
done
filled="$(messages)"
"$dist/bin/qraft-perf" "${nodes[@]}" -u catch.q -x 1 -y 0 -s 1024 -c 8 --rate 200 -z 120 --format json \
  > "$out/during.json" &
perf=$!
sleep 10
start=$(date +%s%N)
ctl set_policy catch '^catch\.' '{"ha-mode":"exactly","ha-params":3,"ha-sync-mode":"automatic"}' > /dev/null
until ctl list_queues name synchronised_replicas --format json | python3 -c '
import json, sys
q = [q for q in json.load(sys.stdin) if q["name"] == "catch.q"][0]
sys.exit(0 if len(q["synchronised_replicas"]) == 3 else 1)'; do
  sleep 0.5
done
end=$(date +%s%N)
wait "$perf"
python3 - "$out" "$filled" "$start" "$end" <<'PY'
import json, sys
out, filled, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
perf = json.load(open(out + "/during.json"))
print(f"backlog={filled} catch_up_s={(end - start) / 1e9:.1f} "
      f"publishes_during={perf['confirmed']} errors={perf['errors']} "
      f"confirm_latency_ms p50={perf['confirm_latency_ms']['p50']} p99={perf['confirm_latency_ms']['p99']} max={perf['confirm_latency_ms']['max']}")
PY
