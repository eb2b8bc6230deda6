#!/usr/bin/env bash
# Steady load, no faults: counts the elections that fire on their own under load with the
# default failure-detection settings. Reads every group's Raft term before and after a
# qraft-perf run (the term goes up with every election) and prints the difference.
#   bench/scripts/steady.sh OUT [SECONDS] [qraft-perf options...]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; seconds="${2:-600}"; shift $(( $# >= 2 ? 2 : 1 ))
whole_numbers steady.sh SECONDS="$seconds"
dir="$(mktemp -d)"
mkdir -p "$out"
cluster_up "$dir"
terms() { "$dist/bin/qraftctl" --node 127.0.0.1:7791 list_groups --format json; }
"$dist/bin/qraft-perf" "${nodes[@]}" -u steady --queues 3 -z 10 "$@" > /dev/null   # declare and warm up
sleep 5
terms > "$out/terms-before.json"
"$dist/bin/qraft-perf" "${nodes[@]}" -u steady --queues 3 -z "$seconds" --format json "$@" > "$out/perf.json"
terms > "$out/terms-after.json"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
before = {g["group"]: g["term"] for g in json.load(open(out + "/terms-before.json"))}
after = {g["group"]: g["term"] for g in json.load(open(out + "/terms-after.json"))}
perf = json.load(open(out + "/perf.json"))
elections = sum(after[g] - before.get(g, after[g]) for g in after)
print(f"groups={len(after)} elections={elections} confirmed={perf['confirmed']} "
      f"confirmed_per_s={perf['confirmed_per_s']:.0f} errors={perf['errors']}")
PY
