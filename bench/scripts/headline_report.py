#!/usr/bin/env python3
"""The headline table and chart from one headline.sh run.

    headline_report.py OUT ROUNDS

Reads OUT/<run>.<round>.json (qraft-perf summaries) and .cpu (node CPU milliseconds of the
measured part, node 1..3), OUT/cold.json (the first minute of the fresh cluster) and OUT/queues.txt (which
node leads each queue); writes OUT/headline.md (the table, in bench/RESULTS.md's form, one column
per round, with the targets of the issue beside it) and OUT/headline.svg (confirmed msg/s and
p99 per case and round, side by side), and prints the table.
"""
import json
import os
import sys

CASES = [
    # (run, label)
    ("r3.quorum.c64", "1 queue, 3 replicas, quorum, -c 64"),
    ("r1.quorum.c64", "1 queue, 1 replica, quorum, -c 64"),
    ("r3.local.c64", "1 queue, 3 replicas, local, -c 64"),
    ("r3.quorum.c1", "1 queue, 3 replicas, quorum, -c 1"),
    ("r3.local.c1", "1 queue, 3 replicas, local, -c 1"),
    ("r3.many.c64", "100 queues, 10p/10c, -c 64"),
]


def load(out, run, r):
    path = f"{out}/{run}.{r}.json"
    return json.load(open(path)) if os.path.exists(path) else None


def cpu(out, run, r):
    path = f"{out}/{run}.{r}.cpu"
    return [int(x) for x in open(path).read().split()] if os.path.exists(path) else None


def leaders(out):
    """Queue name prefix -> leader node number, from qraftctl's list_queues table."""
    found = {}
    path = f"{out}/queues.txt"
    if not os.path.exists(path):
        return found
    for line in open(path):
        parts = line.split()
        if len(parts) >= 3 and parts[-1].startswith("n") and parts[-1][1:].isdigit():
            found[parts[0]] = int(parts[-1][1:])
    return found


def role_cpu(out, run, r, lead):
    """(leader, mean follower) CPU microseconds per confirmed message, or None."""
    d, c = load(out, run, r), cpu(out, run, r)
    if not d or not c or not lead or d["confirmed"] == 0:
        return None
    n = d["confirmed"]
    leader = c[lead - 1] * 1e3 / n
    followers = [c[k] for k in range(3) if k != lead - 1]
    return leader, sum(followers) / len(followers) * 1e3 / n


def table(out, rounds):
    lead = leaders(out)
    rows = []
    for r in range(1, rounds + 1):
        get = lambda run: load(out, run, r)
        r3, r1 = get("r3.quorum.c64"), get("r1.quorum.c64")
        col = {}
        if r3:
            col["msgs"] = f"{r3['confirmed_per_s']:,.0f} msg/s, p99 {r3['confirm_latency_ms']['p99']:.1f} ms"
        if r3 and r1:
            col["ratio"] = f"{r3['confirmed_per_s'] / max(1.0, r1['confirmed_per_s']):.2f}"
        q = role_cpu(out, "r3.quorum.c64", r, lead.get(f"r3.quorum.c64.{r}"))
        one = role_cpu(out, "r1.quorum.c64", r, lead.get(f"r1.quorum.c64.{r}"))
        if q:
            col["cpu"] = (f"leader {q[0]:.0f} us/msg"
                          + (f" ({q[0] / one[0]:.2f}x 1 replica's)" if one else "")
                          + f", follower {q[1]:.0f} ({q[1] / q[0]:.2f}x leader)")
        recv = []
        for run, name in (("r3.quorum.c64", "quorum"), ("r3.local.c64", "local")):
            d = get(run)
            if d and d["confirmed"]:
                recv.append(f"{name} {d['received_per_s'] / max(1.0, d['confirmed_per_s']):.2f}")
        col["received"] = ", ".join(recv)
        q1, l1 = get("r3.quorum.c1"), get("r3.local.c1")
        if q1 and l1:
            col["p50"] = f"{l1['confirm_latency_ms']['p50'] / max(1e-9, q1['confirm_latency_ms']['p50']):.2f}"
        many = get("r3.many.c64")
        if many:
            col["many"] = f"{many['confirmed_per_s']:,.0f} msg/s" + (
                f" ({many['confirmed_per_s'] / max(1.0, r3['confirmed_per_s']):.2f}x 1 queue)" if r3 else "")
        rows.append(col)
    cold = json.load(open(f"{out}/cold.json")) if os.path.exists(f"{out}/cold.json") else None
    lines = ["| case | target | " + " | ".join(f"round {r}" for r in range(1, rounds + 1)) + " |",
             "|---|---|" + "---|" * rounds]
    spec = [
        ("msgs", "1 queue, 3 replicas, quorum, 1p/1c, 1 KB, -c 64 -q 200", ">= 10,000 msg/s, p99 <= 20 ms"),
        ("ratio", "3 replicas / 1 replica, same load", ">= 0.6"),
        ("cpu", "node CPU per message by role (3 replicas)", "leader <= 1.3x 1 replica's; follower <= 0.5x leader"),
        ("received", "received / confirmed", ">= 0.98"),
        ("p50", "local p50 / quorum p50 at -c 1", "<= 0.5"),
        ("many", "100 queues, 10p/10c, aggregate", ">= the 1-queue figure"),
    ]
    for key, label, target in spec:
        lines.append(f"| {label} | {target} | " + " | ".join(c.get(key, "-") for c in rows) + " |")
    if cold:
        warm = [load(out, "r3.quorum.c64", r) for r in range(1, rounds + 1)]
        warm = [w["confirmed_per_s"] for w in warm if w]
        ratio = f" ({cold['confirmed_per_s'] / (sum(warm) / len(warm)):.2f}x warm)" if warm else ""
        lines.append(f"| first 60 s of a fresh cluster (3 replicas, quorum, -c 64) | >= 0.5 of warm | "
                     f"{cold['confirmed_per_s']:,.0f} msg/s{ratio} |" + " |" * (rounds - 1))
    return "\n".join(lines) + "\n"


def svg(out, rounds):
    """Two panels of bars, one bar per round: confirmed msg/s and p99 ms of each case."""
    cases = [(run, label) for run, label in CASES if any(load(out, run, r) for r in range(1, rounds + 1))]
    bar, gap, left, top, height = 14, 22, 260, 40, 0
    panel_w = 330
    rows = []
    for run, label in cases:
        vals = [load(out, run, r) for r in range(1, rounds + 1)]
        rows.append((label, [v["confirmed_per_s"] if v else 0 for v in vals],
                     [v["confirm_latency_ms"]["p99"] or 0 if v else 0 for v in vals]))
    height = top + len(rows) * (rounds * bar + gap) + 30
    width = left + 2 * panel_w + 40
    max_rate = max([max(r[1]) for r in rows] + [1])
    max_p99 = max([max(r[2]) for r in rows] + [1])
    colours = ["#3b6ea5", "#8fb3d9", "#c0504d", "#e6a19f"]
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{left}" y="20" font-weight="bold">confirmed msg/s</text>',
         f'<text x="{left + panel_w + 20}" y="20" font-weight="bold">confirm p99, ms</text>']
    y = top
    for label, rates, p99s in rows:
        s.append(f'<text x="{left - 8}" y="{y + rounds * bar / 2 + 4}" text-anchor="end">{label}</text>')
        for i in range(rounds):
            w1 = (panel_w - 60) * rates[i] / max_rate
            w2 = (panel_w - 60) * p99s[i] / max_p99
            yy = y + i * bar
            s.append(f'<rect x="{left}" y="{yy}" width="{w1:.1f}" height="{bar - 2}" fill="{colours[i % 2]}"/>')
            s.append(f'<text x="{left + w1 + 4:.1f}" y="{yy + bar - 4}">{rates[i]:,.0f}</text>')
            x2 = left + panel_w + 20
            s.append(f'<rect x="{x2}" y="{yy}" width="{w2:.1f}" height="{bar - 2}" fill="{colours[2 + i % 2]}"/>')
            s.append(f'<text x="{x2 + w2 + 4:.1f}" y="{yy + bar - 4}">{p99s[i]:.1f}</text>')
        y += rounds * bar + gap
    s.append(f'<text x="{left}" y="{height - 8}" fill="#555">one bar per round, round 1 on top;'
             ' warmed nodes, qraft-perf -x 1 -y 1 -s 1000 -q 200</text>')
    s.append("</svg>")
    return "\n".join(s) + "\n"


def main():
    out, rounds = sys.argv[1], int(sys.argv[2])
    md = table(out, rounds)
    open(f"{out}/headline.md", "w").write(md)
    open(f"{out}/headline.svg", "w").write(svg(out, rounds))
    print(md, end="")


if __name__ == "__main__":
    main()
