#!/usr/bin/env bash
# Release campaign: N runs x T seconds of the fault suite, one summary row per run appended
# to docs/faults-campaign.md (date, commit, seed, faults by kind, messages, lost, duplicates,
# p50/max unavailability per fault kind).
#
#   ops/faults/campaign.sh --runs N --seconds T [--seed S] [--corruption] [other run.sh options]
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

RUNS=5; SECONDS_PER_RUN=300; SEED=$(( $(date +%s) % 1000000 )); EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done

OUT="$ROOT/ops/target/faults/campaign-$(date +%Y%m%d-%H%M%S)"
"$ROOT/ops/faults/run.sh" --runs "$RUNS" --seconds "$SECONDS_PER_RUN" --seed "$SEED" \
  --out "$OUT" "${EXTRA[@]}" | tee "$OUT.log"
rc=${PIPESTATUS[0]}
verdict=$(tail -1 "$OUT.log")
case "$verdict" in SKIP*) exit 0 ;; esac
[ -f "$OUT/report.json" ] || { echo "no report under $OUT"; exit 1; }

DOC="$ROOT/docs/faults-campaign.md"
mkdir -p "$ROOT/docs"
if [ ! -f "$DOC" ]; then
  cat > "$DOC" <<'HEAD'
# Fault campaign results

Rows appended by `ops/faults/campaign.sh` (one per run). Replay a run with
`ops/faults/run.sh --runs 1 --seconds T --seed SEED` (same seed, same fault schedule).
Unavailability: longest time on any queue without a successful publish confirm, from a
fault's start to the next fault, in ms (p50/max per kind).

| date | commit | seed | seconds | verdict | faults by kind | published | confirmed | lost | unexpected | duplicates | redelivered after ack | divergent | node crashes | unavailability p50/max ms |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
HEAD
fi
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null | head -1)" ]; then COMMIT="$COMMIT+dirty"; fi
python3 - "$OUT/report.json" "$DOC" "$COMMIT" "$SECONDS_PER_RUN" <<'PY'
import json, sys, datetime
report, doc, commit, seconds = sys.argv[1:5]
data = json.load(open(report))
date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
rows = []
for r in data['runs']:
    if 'error' in r:
        rows.append(f"| {date} | {commit} | {r['seed']} | {seconds} | ERROR | {r['error']} |||||||||\n")
        continue
    kinds = ', '.join(f"{k} {v}" for k, v in r['faults_by_kind'].items())
    avail = ', '.join(f"{k} {v['p50_ms']}/{v['max_ms']}" for k, v in r['unavailability_by_kind'].items())
    rows.append(f"| {date} | {commit} | {r['seed']} | {seconds} | {r['verdict']} | {kinds} | "
                f"{r['published']} | {r['confirmed']} | {r['lost']} | {r['unexpected']} | "
                f"{r['duplicates']} | {r['redelivered_after_ack']} | {r['divergent_replicas']} | "
                f"{len(r['node_crashes'])} | {avail} |\n")
with open(doc, 'a') as f:
    f.writelines(rows)
PY
echo "summary appended to $DOC"
echo "$verdict"
exit $rc
