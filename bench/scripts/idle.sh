#!/usr/bin/env bash
# The idle cost of a queue: what N declared, three-replica queues that carry no load cost
# each node process. A three-node cluster is sampled once settled (threads, resident memory,
# bytes under the data directory, CPU over QUIET seconds without clients), then N queues are
# declared (qraft-perf, which publishes one second's worth of 100 B messages over them) and,
# once quiet again, sampled the same way. Prints both samples and the difference per queue,
# and writes OUT/idle.tsv.
#   bench/scripts/idle.sh OUT [QUEUES] [QUIET]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/args.sh"
out="${1:?OUT}"; queues="${2:-10000}"; quiet="${3:-60}"
whole_numbers idle.sh QUEUES="$queues" QUIET="$quiet"
if (( queues < 1 || quiet < 1 )); then echo "idle.sh: QUEUES and QUIET must be at least 1" >&2; exit 2; fi
dir="$(mktemp -d)"
mkdir -p "$out"
cluster_up "$dir"
ctl() { "$dist/bin/qraftctl" "${nodes[@]}" --timeout 30 "$@"; }
ctl set_policy idle3 '^idle-' '{"ha-mode":"all"}' >/dev/null
tck="$(getconf CLK_TCK)"

# One line per node: label node threads rss_kib disk_bytes cpu_percent (over $quiet s).
sample() {
  local label="$1" k pid t0 t1
  declare -A before
  for k in 1 2 3; do
    pid="$(cat "$dir/n$k/pid")"
    before[$k]="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  done
  sleep "$quiet"
  for k in 1 2 3; do
    pid="$(cat "$dir/n$k/pid")"
    t0="${before[$k]}"
    t1="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    printf '%s\tn%s\t%s\t%s\t%s\t%s\n' "$label" "$k" \
      "$(awk '/^Threads:/{print $2}' "/proc/$pid/status")" \
      "$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status")" \
      "$(du -sb "$dir/n$k/data" | cut -f1)" \
      "$(awk -v d="$((t1 - t0))" -v hz="$tck" -v s="$quiet" 'BEGIN{printf "%.2f", 100 * d / hz / s}')"
  done
}

sleep 20   # let the start settle: elections, the first snapshot checks
printf 'sample\tnode\tthreads\trss_kib\tdisk_bytes\tcpu_percent\n' > "$out/idle.tsv"
sample before >> "$out/idle.tsv"
start=$(date +%s)
"$dist/bin/qraft-perf" "${nodes[@]}" -u idle --queues "$queues" -x 1 -y 0 -s 100 -z 1 \
  --format json > "$out/declare.json"
echo "declared $queues queues in $(( $(date +%s) - start )) s"
sleep 30   # the declares' entries are applied everywhere and the nodes' timers run idle
sample after >> "$out/idle.tsv"
ctl list_queues name --format json | python3 -c 'import json,sys; print("queues listed:", len(json.load(sys.stdin)))'
python3 - "$out/idle.tsv" "$queues" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
n = int(sys.argv[2])
print(open(sys.argv[1]).read(), end="")
for node in ("n1", "n2", "n3"):
    b = next(r for r in rows if r["sample"] == "before" and r["node"] == node)
    a = next(r for r in rows if r["sample"] == "after" and r["node"] == node)
    d = lambda k: float(a[k]) - float(b[k])
    print(f"{node}: per queue {d('threads') / n:.4f} threads, {d('rss_kib') * 1024 / n:.0f} B resident, "
          f"{d('disk_bytes') / n:.0f} B disk; idle CPU {b['cpu_percent']}% -> {a['cpu_percent']}% "
          f"of one core ({d('cpu_percent') / n * 1000:.4f}% per 1,000 queues)")
PY
