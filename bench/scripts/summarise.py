#!/usr/bin/env python3
"""Prints a Markdown table of the qraft-perf JSON summaries in OUTDIR (perf-matrix.sh, shards.sh),
confirmed msg/s relative to the run named BASELINE: summarise.py OUTDIR [BASELINE, default r1-quorum]"""
import json, os, sys
out = sys.argv[1]
baseline = sys.argv[2] if len(sys.argv) > 2 else "r1-quorum"
base = None
try:
    base = json.load(open(os.path.join(out, baseline + ".json")))["confirmed_per_s"]
except Exception:
    pass  # no such run, or it failed: the column stays empty
print(f"| run | confirmed msg/s | vs {baseline} | received msg/s | p50 ms | p99 ms | max ms | errors | RSS per node MiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for name in sorted(os.listdir(out)):
    if not name.endswith(".json"):
        continue
    run = name[:-5]
    try:
        d = json.load(open(os.path.join(out, name)))
    except Exception:
        print(f"| {run} | failed | | | | | | | |"); continue
    mem = ""
    try:
        m = json.load(open(os.path.join(out, run + ".mem")))
        mem = " / ".join(str(n.get("resident_bytes", 0) >> 20) for n in m)
    except Exception:
        pass
    c = d["confirmed_per_s"]
    rel = f"{c / base:.2f}" if base else ""
    l = d["confirm_latency_ms"]
    f = lambda v: "-" if v is None else f"{v:.0f}" if v >= 10 else f"{v:.1f}"
    print(f"| {run} | {c:.0f} | {rel} | {d['received_per_s']:.0f} | {f(l['p50'])} | {f(l['p99'])} | {f(l['max'])} | {d['errors']} | {mem} |")
