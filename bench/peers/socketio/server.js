// The Socket.IO 4 peer of the benchmarks: the same operations as
// bench/baseline, as Socket.IO events, each answered through its ack:
//   echo (payload)                            ack(payload)
//   create (opts, ignored)                    ack({room: 'r.<n>'})
//   join (room)                               ack({room})
//   broadcast ({room, name, payload, exclude_self})
//       emits `name` with `payload` to the room (without the sender when
//       exclude_self), then ack({})
// Socket.IO has no room registry: join needs no create, and broadcast needs
// no membership (unlike the baseline's room_not_found / not_member).
// Only the websocket transport, no compression: the load generator speaks
// raw Engine.IO v4 / Socket.IO v5 text packets. One process, one thread.
//
//   node server.js [--listen HOST:PORT]
'use strict';

const http = require('http');
const { Server } = require('socket.io');

const { host, port } = require('../listen.js')('127.0.0.1:8083');

const httpServer = http.createServer();
// Small frames must not wait for Nagle, as on the other servers.
httpServer.on('connection', (s) => s.setNoDelay(true));

const io = new Server(httpServer, {
  transports: ['websocket'],
  perMessageDeflate: false,
  serveClient: false,
  httpCompression: false,
  maxHttpBufferSize: 1e6,
});

// An event sent without an ack id gets no callback: answer nothing then.
function answer(ack, value) {
  if (typeof ack === 'function') ack(value);
}

let nextRoom = 0;
io.on('connection', (socket) => {
  socket.on('echo', (payload, ack) => answer(ack, payload));
  socket.on('create', (opts, ack) => {
    if (typeof opts === 'function') ack = opts; // sent without options
    answer(ack, { room: 'r.' + ++nextRoom });
  });
  socket.on('join', (room, ack) => {
    socket.join(room);
    answer(ack, { room });
  });
  socket.on('broadcast', (msg, ack) => {
    const { room, name, payload, exclude_self } = msg || {};
    try {
      (exclude_self ? socket.to(room) : io.to(room)).emit(name, payload);
    } catch (e) {
      // A reserved name ('connect', 'disconnect', ...) throws: not a crash.
      answer(ack, { error: e.message });
      return;
    }
    answer(ack, {});
  });
});

httpServer.listen(port, host, () => {
  const a = httpServer.address();
  console.log(
    `socketio listening on ws://${a.address}:${a.port}/socket.io/?EIO=4&transport=websocket`
  );
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
