// The qraft management page: reads /api/overview, /api/nodes and /api/queues every 5 s.
"use strict";

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  n = Number(n) || 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

function fill(tableId, rows, cells) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren();
  for (const row of rows) {
    const tr = el("tr");
    for (const c of cells(row)) {
      tr.appendChild(typeof c === "object" && c !== null ? c : el("td", c));
    }
    body.appendChild(tr);
  }
}

function num(v) { return el("td", v, "num"); }
function leader(v) { return v ? el("td", v) : el("td", "none", "bad"); }

// A count by reason (dead_lettered, dropped): the total, and each reason on hover.
function byReason(counts) {
  const reasons = Object.entries(counts || {});
  const td = num(reasons.reduce((sum, [, n]) => sum + Number(n), 0));
  td.title = reasons.map(([reason, n]) => reason + ": " + n).join("\n");
  return td;
}

// The limits among a queue's effective arguments (declare arguments over its policy), as key=value.
function limits(q, keys) {
  return keys.filter(k => k in q.effective_arguments)
    .map(k => k + "=" + q.effective_arguments[k]).join(", ");
}

async function getJson(path) {
  const r = await fetch(path, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(path + ": " + (body.error || r.status));
  return body;
}

async function refresh() {
  try {
    const [overview, nodes, queues] = await Promise.all([
      getJson("api/overview"), getJson("api/nodes"), getJson("api/queues")]);
    document.getElementById("node").textContent = "node " + overview.node;
    const cards = document.getElementById("overview");
    cards.replaceChildren();
    const facts = [
      ["nodes running", overview.nodes_running + " / " + overview.nodes],
      ["metadata leader", overview.metadata_leader || "none"],
      ["queues", overview.queues],
      ["shards", overview.shards],
      ["groups without leader", overview.groups_without_leader]];
    for (const [label, value] of facts) {
      const c = el("div", null, "card");
      c.appendChild(el("b", value));
      c.appendChild(el("span", label));
      cards.appendChild(c);
    }
    fill("nodes", nodes.nodes, n => [n.node,
      n.running ? el("td", "running", "good") : el("td", "down", "bad"),
      n.grpc_address, n.raft_address, num(n.groups), num(n.groups_led), num(n.threads),
      num(bytes(n.heap_used_bytes)), num(bytes(n.resident_bytes))]);
    fill("queues", queues.queues, q => [q.name, leader(q.leader), q.replicas.join(", "),
      num(q.messages), num(q.messages_unacked), num(bytes(q.bytes)), num(q.consumers), q.group,
      limits(q, queues.limit_keys), num(q.messages_expired), byReason(q.dead_lettered), byReason(q.dropped),
      num(q.publishes_rejected), num(q.deliveries_timed_out)]);
    fill("shards", overview.groups, g => [g.group, g.kind, leader(g.leader), g.replicas.join(", "),
      num(g.queues)]);
    document.getElementById("error").textContent = "";
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("error").textContent = String(e);
  }
}

refresh();
setInterval(refresh, 5000);
