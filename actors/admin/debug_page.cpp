#include "tether/actors/admin/debug_page.hpp"

namespace tether::admin {

namespace {

constexpr std::string_view page = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tether node</title>
<style>
  :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2430; --muted: #6b7585;
          --line: #e2e6ec; --accent: #2f6fde; --accent2: #e0803a;
          --bad: #c83c3c; --good: #2e9e5b; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI",
         Roboto, sans-serif; background: var(--bg); color: var(--ink); }
  header { display: flex; align-items: center; gap: 1rem; padding: .8rem 1.5rem;
           background: #1d2430; color: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; font-weight: 600; }
  header .node { color: #aeb8c8; }
  header button { margin-left: auto; }
  main { max-width: 1200px; margin: 0 auto; padding: 1.2rem 1.5rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
          gap: .8rem; margin-bottom: 1rem; }
  .card { background: var(--card); border: 1px solid var(--line);
          border-radius: 8px; padding: .9rem 1rem; margin-bottom: 1rem; }
  .figure .value { font-size: 1.6rem; font-weight: 600; }
  .figure .label { color: var(--muted); font-size: .8rem; text-transform: uppercase;
                   letter-spacing: .04em; }
  h2 { font-size: 1rem; margin: 0 0 .6rem; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line);
           vertical-align: top; }
  th { color: var(--muted); font-weight: 500; font-size: .8rem; }
  td code { font-size: .8rem; word-break: break-all; }
  .state-up { color: var(--good); } .state-draining { color: var(--accent2); }
  .state-down { color: var(--bad); }
  button { font: inherit; padding: .3rem .8rem; border-radius: 5px;
           border: 1px solid var(--line); background: #fff; cursor: pointer; }
  button:disabled { opacity: .4; cursor: default; }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  .pager { display: flex; gap: .5rem; align-items: center; margin-top: .6rem;
           color: var(--muted); }
  #login { max-width: 380px; margin: 4rem auto; }
  #login input { width: 100%; padding: .45rem .6rem; margin: .5rem 0 .8rem;
                 border: 1px solid var(--line); border-radius: 5px; font: inherit; }
  #error { color: var(--bad); min-height: 1.2em; }
  canvas { width: 100%; height: 180px; display: block; }
  .legend { display: flex; gap: 1rem; color: var(--muted); font-size: .8rem; }
  .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
              margin-right: .3rem; vertical-align: -1px; }
  .members { color: var(--muted); font-size: .8rem; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>Tether</h1><span class="node" id="node-name"></span>
  <button id="logout" hidden>Forget token</button>
</header>
<main>
  <form id="login" class="card" hidden>
    <h2>Admin token</h2>
    <p>This page reads the node through its admin API. The token stays in
    this tab (sessionStorage).</p>
    <input id="token" type="password" autocomplete="current-password"
           placeholder="--admin-token" required>
    <div id="error"></div>
    <button class="primary" type="submit">Open</button>
  </form>
  <div id="view" hidden>
    <div class="grid">
      <div class="card figure"><div class="value" id="f-connections">-</div>
        <div class="label">connections</div></div>
      <div class="card figure"><div class="value" id="f-sessions">-</div>
        <div class="label">sessions</div></div>
      <div class="card figure"><div class="value" id="f-rooms">-</div>
        <div class="label">rooms</div></div>
      <div class="card figure"><div class="value" id="f-rate">-</div>
        <div class="label">frames/s in+out</div></div>
      <div class="card figure"><div class="value" id="f-uptime">-</div>
        <div class="label">uptime</div></div>
    </div>
    <div class="card">
      <h2>Last minutes</h2>
      <canvas id="chart" width="1100" height="180"></canvas>
      <div class="legend"><span><i style="background:var(--accent)"></i>connections</span>
        <span><i style="background:var(--accent2)"></i>frames per second</span></div>
    </div>
    <div class="card">
      <h2>Cluster</h2>
      <table id="cluster"><thead><tr><th>node</th><th>state</th><th>url</th></tr></thead>
        <tbody></tbody></table>
    </div>
    <div class="card">
      <h2>Sessions</h2>
      <table id="sessions"><thead><tr><th>session</th><th>node</th><th>streams</th>
        <th>rooms</th><th>info</th></tr></thead><tbody></tbody></table>
      <div class="pager"><button id="s-first">First</button>
        <button id="s-next">Next</button><span id="s-page"></span></div>
    </div>
    <div class="card">
      <h2>Rooms</h2>
      <table id="rooms"><thead><tr><th>room</th><th>type</th><th>node</th>
        <th>members</th></tr></thead><tbody></tbody></table>
      <div class="pager"><button id="r-first">First</button>
        <button id="r-next">Next</button><span id="r-page"></span></div>
    </div>
  </div>
</main>
<script>
"use strict";
const key = "tether.admin_token";
const $ = (id) => document.getElementById(id);
const page = 25;
const samples = [];
let lastFrames = null;
let sessionsAfter = "", sessionsNext = null, roomsAfter = "", roomsNext = null;
let timer = null;

async function api(path) {
  const r = await fetch(path, { headers: { Authorization: "Bearer " +
                                           sessionStorage.getItem(key) } });
  if (r.status === 401) { logout("That token was refused."); throw new Error("401"); }
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.headers.get("Content-Type").startsWith("application/json")
      ? r.json() : r.text();
}

function cell(row, text, cls) {
  const td = row.insertCell();
  const code = document.createElement("code");
  code.textContent = text;
  td.appendChild(code);
  if (cls) td.className = cls;
  return td;
}

function fill(table, rows, columns) {
  const body = $(table).tBodies[0];
  body.replaceChildren();
  for (const x of rows) {
    const row = body.insertRow();
    for (const c of columns) c(row, x);
  }
}

function uptime(s) {
  if (s < 120) return s + " s";
  if (s < 7200) return Math.floor(s / 60) + " min";
  return Math.floor(s / 3600) + " h";
}

function metric(text, name) {
  const m = text.match(new RegExp("^" + name + " ([0-9.e+-]+)$", "m"));
  return m ? Number(m[1]) : 0;
}

function draw() {
  const c = $("chart"), g = c.getContext("2d");
  const w = c.width, h = c.height, pad = 24;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = "#e2e6ec"; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad + (h - 2 * pad) * i / 4;
    g.beginPath(); g.moveTo(pad, y); g.lineTo(w - pad, y); g.stroke();
  }
  const line = (pick, color) => {
    const top = Math.max(1, ...samples.map(pick));
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    samples.forEach((x, i) => {
      const px = pad + (w - 2 * pad) * i / 149;
      const py = h - pad - (h - 2 * pad) * pick(x) / top;
      i ? g.lineTo(px, py) : g.moveTo(px, py);
    });
    g.stroke();
    g.fillStyle = color; g.font = "12px system-ui";
    g.fillText("max " + Math.round(top), w - pad - 70, pad - 8 + (color === "#2f6fde" ? 0 : 12));
  };
  line((x) => x.connections, "#2f6fde");
  line((x) => x.rate, "#e0803a");
}

async function poll() {
  try {
    const [node, metrics] = await Promise.all([api("/api/v1/node"), api("/metrics")]);
    $("node-name").textContent = node.node + " (protocol " + node.version + ")";
    $("f-connections").textContent = node.connections;
    $("f-sessions").textContent = node.sessions;
    $("f-rooms").textContent = node.rooms;
    $("f-uptime").textContent = uptime(node.uptime_s);
    const frames = metric(metrics, "tether_frames_received_total") +
                   metric(metrics, "tether_frames_sent_total");
    const now = Date.now();
    const rate = lastFrames ? (frames - lastFrames.n) * 1000 / (now - lastFrames.at) : 0;
    lastFrames = { n: frames, at: now };
    $("f-rate").textContent = rate.toFixed(1);
    samples.push({ connections: node.connections, rate });
    if (samples.length > 150) samples.shift();
    draw();
    fill("cluster", node.cluster, [
      (r, x) => cell(r, x.node), (r, x) => cell(r, x.state, "state-" + x.state),
      (r, x) => cell(r, x.url)]);
    await Promise.all([sessions(), rooms()]);
  } catch (e) { console.warn(e); }
}

async function sessions() {
  const q = "/api/v1/sessions?limit=" + page +
            (sessionsAfter ? "&after=" + encodeURIComponent(sessionsAfter) : "");
  const x = await api(q);
  sessionsNext = x.next;
  $("s-next").disabled = !x.next;
  $("s-page").textContent = x.sessions.length + " shown";
  fill("sessions", x.sessions, [
    (r, s) => cell(r, s.session), (r, s) => cell(r, s.node),
    (r, s) => cell(r, String(s.streams)), (r, s) => cell(r, s.rooms.join(", ")),
    (r, s) => cell(r, JSON.stringify(s.info))]);
}

async function rooms() {
  const q = "/api/v1/rooms?limit=" + page +
            (roomsAfter ? "&after=" + encodeURIComponent(roomsAfter) : "");
  const x = await api(q);
  roomsNext = x.next;
  $("r-next").disabled = !x.next;
  $("r-page").textContent = x.rooms.length + " shown";
  const full = await Promise.all(x.rooms.map((r) =>
      api("/api/v1/rooms/" + encodeURIComponent(r.room)).catch(() => null)));
  fill("rooms", x.rooms, [
    (r, x) => cell(r, x.room), (r, x) => cell(r, x.type || "-"),
    (r, x) => cell(r, x.node),
    (r, x) => {
      const td = cell(r, x.members + " / " + x.max_members);
      const one = full.find((f) => f && f.room === x.room);
      if (one && one.members.length) {
        const div = document.createElement("div");
        div.className = "members";
        div.textContent = one.members.join(", ");
        td.appendChild(div);
      }
    }]);
}

function start() {
  $("login").hidden = true; $("view").hidden = false; $("logout").hidden = false;
  poll();
  timer = setInterval(poll, 2000);
}

function logout(message) {
  sessionStorage.removeItem(key);
  clearInterval(timer);
  $("view").hidden = true; $("logout").hidden = true; $("login").hidden = false;
  $("error").textContent = message || "";
}

$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(key, $("token").value);
  $("error").textContent = "";
  start();
});
$("logout").addEventListener("click", () => logout());
$("s-first").addEventListener("click", () => { sessionsAfter = ""; sessions(); });
$("s-next").addEventListener("click", () => { sessionsAfter = sessionsNext; sessions(); });
$("r-first").addEventListener("click", () => { roomsAfter = ""; rooms(); });
$("r-next").addEventListener("click", () => { roomsAfter = roomsNext; rooms(); });
if (sessionStorage.getItem(key)) start(); else logout();
</script>
</body>
</html>
)html";

} // namespace

std::string_view debug_page() {
  return page;
}

} // namespace tether::admin
