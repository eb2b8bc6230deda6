#!/usr/bin/env bash
# The shard-count curve: the same load on a fresh three-node cluster for each
# shards.per_replica_set in SHARDS (default "1 3 6 12"): QUEUES three-replica queues, two
# producers and two consumers spread over them. Each cluster first runs WARMUP seconds on
# the same queues (node JVMs spend their first minute compiling), then SECONDS measured.
# On the last cluster, one queue with its own Raft group (queue-log dedicated) and one on
# the shared shards are run in turn with one producer and one consumer.
# One JSON summary per run in OUT (shardsN.json, shared.json, dedicated.json); ends with a
# Markdown table of them (summarise.py, relative to 1 shard).
#   bench/scripts/shards.sh OUT [SECONDS] [WARMUP] [QUEUES] [SHARDS]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-30}"; warmup="${3:-45}"; queues="${4:-12}"; shard_counts="${5:-1 3 6 12}"
whole_numbers shards.sh SECONDS="$seconds" WARMUP="$warmup" QUEUES="$queues"
for s in $shard_counts; do
  whole_numbers shards.sh "a shard count in SHARDS=$s"
  if (( s < 1 || s > 64 )); then echo "shards.sh: shard counts are 1 to 64 (shards.per_replica_set), not $s" >&2; exit 2; fi
done
mkdir -p "$out"
dir=""
trap '[ -n "$dir" ] && "$root/bench/scripts/cluster.sh" down "$dir"' EXIT
perf() { "$dist/bin/qraft-perf" "${nodes[@]}" -s 1000 -c 64 -q 200 "$@"; }
for s in $shard_counts; do
  dir="$(mktemp -d)"
  "$root/bench/scripts/cluster.sh" up "$dir" 3 "shards.per_replica_set=$s"
  perf -x 2 -y 2 -u spread --queues "$queues" -z "$warmup" > /dev/null
  perf -x 2 -y 2 -u spread --queues "$queues" -z "$seconds" --format json > "$out/shards$s.json"
  "$dist/bin/qraftctl" --node 127.0.0.1:7791 list_groups > "$out/shards$s.groups.txt" 2>&1 || true
  if [ "$s" != "${shard_counts##* }" ]; then
    "$root/bench/scripts/cluster.sh" down "$dir"; dir=""
  fi
done
for log in shared dedicated; do
  perf -x 1 -y 1 -u "one-$log" --queue-log "$log" -z 5 > /dev/null
  perf -x 1 -y 1 -u "one-$log" --queue-log "$log" -z "$seconds" --format json > "$out/$log.json"
done
python3 "$root/bench/scripts/summarise.py" "$out" shards1
