#!/usr/bin/env python3
"""Prints a Markdown table of the runs of perf-matrix.sh: summarise.py OUTDIR"""
import json, os, sys
out = sys.argv[1]
base = None
print("| run | confirmed msg/s | vs 1 replica | received msg/s | p50 ms | p99 ms | max ms | errors | RSS per node MiB |")
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
    if run == "r1-quorum":
        base = c
    rel = f"{c / base:.2f}" if base else ""
    l = d["confirm_latency_ms"]
    f = lambda v: "-" if v is None else f"{v:.0f}" if v >= 10 else f"{v:.1f}"
    print(f"| {run} | {c:.0f} | {rel} | {d['received_per_s']:.0f} | {f(l['p50'])} | {f(l['p99'])} | {f(l['max'])} | {d['errors']} | {mem} |")
