#!/usr/bin/env bash
# Leader kills under load: how long confirms stop when the leader of a queue dies.
# A three-node cluster (default settings unless key=value are given), one 3-replica queue,
# one producer publishing 1 KB messages with confirms (qraft-perf --gap-log) and one consumer.
# Every PERIOD seconds the node leading the queue gets kill -9 and is started again DOWN
# seconds later. For each kill, the longest pause between confirms that spans the kill is
# the failover gap; prints p50 and max over all kills and writes OUT/kills.tsv.
#   bench/scripts/failover.sh OUT [KILLS] [PERIOD] [DOWN] [key=value ...]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; kills="${2:-20}"; period="${3:-12}"; down="${4:-4}"
whole_numbers failover.sh KILLS="$kills" PERIOD="$period" DOWN="$down"
if (( down >= period )); then echo "failover.sh: DOWN ($down s) must be shorter than PERIOD ($period s)" >&2; exit 2; fi
shift $(( $# >= 4 ? 4 : $# ))
dir="$(mktemp -d)"
mkdir -p "$out"
trap '"$root/bench/scripts/cluster.sh" down "$dir"; kill "${perf:-}" 2>/dev/null || true' EXIT
"$root/bench/scripts/cluster.sh" up "$dir" 3 "$@"
ctl() { "$dist/bin/qraftctl" "${nodes[@]}" --timeout 5 "$@"; }
ctl set_policy all3 '^failover$' '{"ha-mode":"all"}' >/dev/null
# qraftctl takes a few seconds per call on a loaded host: the run is given ample time and is
# ended by SIGTERM once the kills are done (qraft-perf then prints its summary).
seconds=$(( kills * (period + 30) + 60 ))
"$dist/bin/qraft-perf" "${nodes[@]}" -u failover -x 1 -y 1 -s 1000 -c 16 --rate 400 \
  -z "$seconds" --gap-log "$out/gaps.txt" > "$out/perf.log" 2>&1 &
perf=$!
sleep 10
: > "$out/kills.txt"
for i in $(seq 1 "$kills"); do
  leader=""
  for _ in 1 2 3 4 5; do   # just after a restart a node may not know the leader yet
    leader="$(ctl list_queues name leader --format json 2>/dev/null \
      | python3 -c 'import json,sys; q=[x for x in json.load(sys.stdin) if x["name"]=="failover"]; print(q[0]["leader"] if q else "")' 2>/dev/null || true)"
    [[ "$leader" =~ ^n[1-3]$ ]] && break
    sleep 1
  done
  if [[ "$leader" =~ ^n([1-3])$ ]]; then
    k="${BASH_REMATCH[1]}"
    # The time is taken just after the signal: starting a script on a busy host takes long
    # enough (~200 ms seen) that a time taken before it falls well ahead of the kill.
    kill -9 "$(cat "$dir/n$k/pid")" 2>/dev/null || true
    echo "$(date +%s%3N) n$k" >> "$out/kills.txt"
    sleep "$down"
    "$root/bench/scripts/cluster.sh" start "$dir" "$k"
    sleep $(( period - down ))
  else
    echo "kill $i: no leader known ($leader), skipped" >&2; sleep "$period"
  fi
done
kill -TERM "$perf" 2>/dev/null || true   # the kills are done: qraft-perf reports and ends
wait "$perf" || true
perf=
python3 - "$out" <<'PY'
import json, sys, statistics
out = sys.argv[1]
kills = [(int(t), n) for t, n in (l.split() for l in open(out + "/kills.txt") if l.strip())]
gaps = [(int(e), int(g)) for e, g in (l.split() for l in open(out + "/gaps.txt") if l.strip())]
rows = []
for t, n in kills:
    # a pause spans the kill when it started before the kill (plus scheduling slack) and ended after it
    spans = [g for e, g in gaps if e >= t and e - g <= t + 200]
    rows.append((t, n, max(spans) if spans else 0))
with open(out + "/kills.tsv", "w") as f:
    f.write("kill_ms\tnode\tgap_ms\n")
    for t, n, g in rows:
        f.write(f"{t}\t{n}\t{g}\n")
g = sorted(r[2] for r in rows)
print(f"kills={len(g)} gap_p50_ms={statistics.median(g):.0f} gap_max_ms={max(g)} gaps_ms={g}")
PY
grep -E '^  (sent|confirmed|received|errors) ' "$out/perf.log" || echo "qraft-perf printed no summary: see $out/perf.log" >&2
