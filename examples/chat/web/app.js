// The chat demo: the browser client (/tether.js, served by the node) on
// examples/chat's node. The lobby comes from its `chat.lobby` op; other
// rooms are made with room.create and joined by id. Names travel in the
// session info (the lobby's logic turns the nameless away) and in each
// room's properties (`name:SESSION`), so that a late joiner knows them.

import { connect } from "/tether.js";

const $ = (id) => document.getElementById(id);
const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
const rooms = new Map(); // id -> { room, title, log: [] }
let client;
let current = null;
let me = sessionStorage.getItem("chat:name");

function showStatus(state, text) {
  $("status").dataset.state = state;
  $("status").querySelector("b").textContent = text;
}

function start(name) {
  me = name;
  sessionStorage.setItem("chat:name", name);
  $("login").hidden = true;
  $("app").hidden = false;
  $("who").textContent = `signed in as ${name}`;
  // persist: a reload resumes the same session and stream.
  client = connect(url, { info: { name }, persist: true, minDelay: 200, maxDelay: 5000 });
  client.onEvent("connecting", (e) => showStatus("connecting", `connecting (${e.transport})…`));
  client.onEvent("connected", (e) =>
    showStatus("connected", `connected to ${e.node}${e.resumed ? " · resumed" : ""}`),
  );
  client.onEvent("disconnected", (e) =>
    showStatus("disconnected", `reconnecting in ${Math.round(e.delay || 0)} ms (${e.reason})`),
  );
  client.onEvent("resume_gap", () => note("Some messages were lost while away."));
  client.onEvent("closed", (e) => showStatus("closed", `closed: ${e.reason}`));
  client.connected().then(async () => {
    const lobby = await client.call("chat.lobby");
    await enter(lobby, "Lobby");
    for (const id of JSON.parse(sessionStorage.getItem("chat:rooms") || "[]"))
      if (id !== lobby) await enter(id, `Room ${id.slice(0, 6)}`).catch(() => {});
  });
}

async function enter(id, title) {
  if (rooms.has(id)) return select(id);
  const room = client.room(id);
  const entry = { room, title, log: [] };
  rooms.set(id, entry);
  room.on("message", (m) => {
    const text = m.payload && m.payload.text;
    entry.log.push({ from: m.from, name: m.payload.name, text, system: m.name === "chat.system" });
    if (current === id) renderMessages();
  });
  for (const e of ["joined", "left", "away", "back", "props", "kicked"])
    room.on(e, () => current === id && renderMembers());
  await room.join();
  await room.setProps({ [`name:${client.session}`]: me });
  sessionStorage.setItem("chat:rooms", JSON.stringify([...rooms.keys()]));
  select(id);
}

function select(id) {
  current = id;
  $("room-title").textContent = `${rooms.get(id).title} · ${id}`;
  renderRooms();
  renderMembers();
  renderMessages();
}

function nameOf(room, member) {
  return room.props[`name:${member}`] || (room.info[member] && room.info[member].name) || member.slice(0, 8);
}

function renderRooms() {
  $("rooms").replaceChildren(
    ...[...rooms].map(([id, r]) => {
      const li = document.createElement("li");
      li.textContent = r.title;
      li.className = id === current ? "active" : "";
      li.onclick = () => select(id);
      return li;
    }),
  );
}

function renderMembers() {
  const { room } = rooms.get(current);
  $("members").replaceChildren(
    ...room.members.map((m) => {
      const li = document.createElement("li");
      li.textContent = nameOf(room, m) + (m === client.session ? " (you)" : "");
      if (room.away.has(m)) li.className = "away";
      return li;
    }),
  );
}

function renderMessages() {
  const list = $("messages");
  list.replaceChildren(
    ...rooms.get(current).log.map((m) => {
      const li = document.createElement("li");
      if (m.system) {
        li.className = "system";
        li.textContent = m.text;
        return li;
      }
      if (m.from === client.session) li.className = "mine";
      const who = document.createElement("b");
      who.textContent = m.name;
      li.append(who, document.createTextNode(m.text));
      return li;
    }),
  );
  list.scrollTop = list.scrollHeight;
}

function note(text) {
  if (!current) return;
  rooms.get(current).log.push({ system: true, text });
  renderMessages();
}

$("login").onsubmit = (e) => {
  e.preventDefault();
  const name = $("name").value.trim();
  if (name) start(name);
};
$("compose").onsubmit = (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text || !current) return;
  $("text").value = "";
  // Sent now or, while away, once the session is back: never lost.
  rooms.get(current).room.broadcast("chat.message", { text, name: me }).catch((err) => note(`not sent: ${err.code}`));
};
$("new-room").onsubmit = async (e) => {
  e.preventDefault();
  const room = await client.createRoom({ ttlS: 3600 });
  await enter(room.id, `Room ${room.id.slice(0, 6)}`);
};
$("join-room").onsubmit = async (e) => {
  e.preventDefault();
  const id = $("room-id").value.trim();
  if (!id) return;
  $("room-id").value = "";
  await enter(id, `Room ${id.slice(0, 6)}`).catch((err) => {
    rooms.delete(id);
    note(`cannot join ${id}: ${err.code}`);
  });
};
$("drop").onclick = () => client && client.reconnect();

if (me) start(me);
