// The Node.js peer of the benchmarks: ws + @msgpack/msgpack, answering
// HELLO with WELCOME, REQUEST `sys.echo` with REPLY and SESSION_OPEN with a
// dummy SESSION, like bench/baseline. One process, one thread.
//
//   node server.js [--listen HOST:PORT]
'use strict';

const { WebSocketServer } = require('ws');
const { encode, decodeMulti } = require('@msgpack/msgpack');

let listen = '127.0.0.1:8082';
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--listen' && i + 1 < args.length) listen = args[++i];
  else if (args[i].startsWith('--listen=')) listen = args[i].slice(9);
  else {
    console.error('usage: node server.js [--listen HOST:PORT]');
    process.exit(2);
  }
}
const colon = listen.lastIndexOf(':');
const host = listen.slice(0, colon);
const port = Number(listen.slice(colon + 1));

const limits = {
  max_message: 1048576,
  max_inflight: 128,
  max_streams: 16,
  session_ttl_s: 120,
  ack_every: 64,
};

let nextConn = 0;
const wss = new WebSocketServer({
  host,
  port,
  path: '/ws',
  perMessageDeflate: false,
  maxPayload: 1 << 20,
});

wss.on('connection', (ws) => {
  const conn = ++nextConn;
  ws.on('error', () => {});
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
            if (f[2] === 'sys.echo') out.push(encode([11, f[1], f[3]]));
            else out.push(encode([12, f[1], 'unknown_op', "no op named '" + f[2] + "'"]));
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
    if (out.length === 1) ws.send(out[0], { binary: true });
    else if (out.length > 1) ws.send(Buffer.concat(out), { binary: true });
  });
});

wss.on('listening', () => {
  const a = wss.address();
  console.log(`node-ws listening on ws://${a.address}:${a.port}/ws`);
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
