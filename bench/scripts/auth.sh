#!/usr/bin/env bash
# What authentication costs: the headline load on a cluster with auth.enabled (every call
# authenticated and checked, qraft-perf sending a user and password) against one without,
# interleaved, each run on a fresh three-node cluster of this build.
#   bench/scripts/auth.sh OUT [SECONDS] [ROUNDS] [WARMUP]
# Load: one 3-replica quorum queue, qraft-perf -x 1 -y 1 -s 1000 -c 64 -q 200, WARMUP + SECONDS
# (defaults 30 + 60) of which qraft-perf summarises the last SECONDS. Writes OUT/{off,on}.ROUND.json
# (qraft-perf's summary) and .cpu (node CPU seconds of the measured part); prints a line per run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-60}"; rounds="${3:-3}"; warmup="${4:-30}"
whole_numbers auth.sh SECONDS="$seconds" ROUNDS="$rounds" WARMUP="$warmup"
mkdir -p "$out"
password="$out/bench.password"
( umask 077; echo "bench password $RANDOM$RANDOM" > "$password" )
credentials=()
perf() { "$dist/bin/qraft-perf" "${nodes[@]}" "${credentials[@]}" -x 1 -y 1 -s 1000 -c 64 -q 200 -u headline "$@"; }
ctl() { "$dist/bin/qraftctl" --node 127.0.0.1:7791 --timeout 30 "$@"; }
. "$root/bench/scripts/nodes.sh"
dir=""
trap '[ -z "$dir" ] || "$root/bench/scripts/cluster.sh" down "$dir"' EXIT
for round in $(seq 1 "$rounds"); do
  for auth in off on; do
    dir="$(mktemp -d)"
    credentials=()
    if [ "$auth" = on ]; then
      "$root/bench/scripts/cluster.sh" up "$dir" 3 auth.enabled=true > /dev/null
      # The bootstrap call a cluster without users takes from its own host, then the rights
      # the load needs (tags give no queue rights).
      for _ in $(seq 1 60); do
        ctl add_user bench --tags administrator --new-password-file "$password" > /dev/null 2>&1 && break
        sleep 1
      done
      credentials=(--user bench --password-file "$password")
      ctl "${credentials[@]}" set_permissions bench '.*' '.*' '.*' > /dev/null
    else
      "$root/bench/scripts/cluster.sh" up "$dir" 3 > /dev/null
    fi
    measured_run "$auth" "$round"
    "$root/bench/scripts/cluster.sh" down "$dir"; dir=""
  done
done
