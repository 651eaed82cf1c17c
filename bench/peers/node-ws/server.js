// The Node.js peer of the benchmarks: ws + @msgpack/msgpack, answering like
// bench/baseline: HELLO with WELCOME, SESSION_OPEN with a dummy SESSION
// (session id "s<conn>"), and REQUEST:
//   sys.echo        REPLY with the payload
//   room.create     REPLY {room: "r.<n>"}
//   room.join       REPLY {room, members: [], props: {}}, or room_not_found
//   room.broadcast  ROOM_MESSAGE [30, room, from, name, payload], encoded
//                   once, to every member (the sender too unless
//                   exclude_self), then REPLY {} to the sender; not_member
//                   if not in the room
// A closed connection leaves its rooms; empty rooms stay. One process, one
// thread.
//
//   node server.js [--listen HOST:PORT]
'use strict';

const { WebSocketServer } = require('ws');
const { encode, decodeMulti } = require('@msgpack/msgpack');

const { host, port } = require('../listen.js')('127.0.0.1:8082');

const limits = {
  max_message: 1048576,
  max_inflight: 128,
  max_streams: 16,
  session_ttl_s: 120,
  ack_every: 64,
};

let nextConn = 0;
let nextRoom = 0;
// Room name to its members' sockets, in join order (a Set keeps insertion
// order). A socket's own rooms are in `joined`, to leave them on close.
const rooms = new Map();

function request(ws, conn, joined, out, id, op, payload) {
  // Read like the baseline reads them: a non-string is '', only `true` is true.
  const p = payload !== null && typeof payload === 'object' ? payload : {};
  const room = typeof p.room === 'string' ? p.room : '';
  switch (op) {
    case 'sys.echo':
      out.push(encode([11, id, payload]));
      return;
    case 'room.create': {
      const name = 'r.' + ++nextRoom;
      rooms.set(name, new Set());
      out.push(encode([11, id, { room: name }]));
      return;
    }
    case 'room.join': {
      const members = rooms.get(room);
      if (!members) {
        out.push(encode([12, id, 'room_not_found', 'no room ' + room]));
        return;
      }
      members.add(ws);
      joined.add(room);
      out.push(encode([11, id, { room, members: [], props: {} }]));
      return;
    }
    case 'room.broadcast': {
      if (!joined.has(room)) {
        out.push(encode([12, id, 'not_member', 'not a member of ' + room]));
        return;
      }
      // What this batch answered before goes out first, in order.
      flush(ws, out);
      const name = typeof p.name === 'string' ? p.name : '';
      const frame = encode([30, room, 's' + conn, name, p.payload]);
      const self = p.exclude_self === true;
      for (const member of rooms.get(room))
        if (member !== ws || !self) member.send(frame, { binary: true });
      out.push(encode([11, id, {}]));
      return;
    }
    default:
      out.push(encode([12, id, 'unknown_op', "no op named '" + op + "'"]));
  }
}

function flush(ws, out) {
  if (out.length === 1) ws.send(out[0], { binary: true });
  else if (out.length > 1) ws.send(Buffer.concat(out), { binary: true });
  out.length = 0;
}
const wss = new WebSocketServer({
  host,
  port,
  path: '/ws',
  perMessageDeflate: false,
  maxPayload: 1 << 20,
});

wss.on('connection', (ws) => {
  const conn = ++nextConn;
  const joined = new Set();
  ws.on('error', () => {});
  ws.on('close', () => {
    for (const room of joined) rooms.get(room).delete(ws);
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      ws.send(encode([4, 2, 'text message', '']));
      ws.close();
      return;
    }
    const out = [];
    try {
      for (const f of decodeMulti(data)) {
        if (!Array.isArray(f)) continue;
        switch (f[0]) {
          case 1: // HELLO
            out.push(encode([2, 1, 'node-ws', 'c' + conn, 15000, limits]));
            break;
          case 10: // REQUEST
            request(ws, conn, joined, out, f[1], f[2], f[3]);
            break;
          case 20: // SESSION_OPEN
            out.push(encode([23, f[1], 's' + conn, 'key', 'token', 0, false, {}]));
            break;
          default:
            break;
        }
      }
    } catch (e) {
      ws.send(encode([4, 2, 'invalid message', '']));
      ws.close();
      return;
    }
    flush(ws, out);
  });
});

wss.on('listening', () => {
  const a = wss.address();
  console.log(`node-ws listening on ws://${a.address}:${a.port}/ws`);
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
