// The one command-line option the Node.js peers take: --listen HOST:PORT.
'use strict';

module.exports = function listenAddress(fallback) {
  let listen = fallback;
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
  return { host: listen.slice(0, colon), port: Number(listen.slice(colon + 1)) };
};
