// Frames of the wire contract (docs/protocol.md): kinds, and batches to
// and from bytes. A batch is frames, each a MessagePack array, back to back.

import { encode, decodeMulti } from "@msgpack/msgpack";

export const K = Object.freeze({
  HELLO: 1,
  WELCOME: 2,
  HEARTBEAT: 3,
  CLOSE: 4,
  REQUEST: 10,
  REPLY: 11,
  ERROR: 12,
  RETRY: 13,
  CANCEL: 14,
  SIGNAL: 15,
  STREAM: 16,
  STREAM_PART: 17,
  RESULT_PART: 18,
  SESSION_OPEN: 20,
  SESSION_ATTACH: 21,
  SESSION_RESUME: 22,
  SESSION: 23,
  SESSION_CLOSE: 24,
  SESSION_CLOSED: 25,
  ACK: 26,
  SEQ: 27,
  ROOM_MESSAGE: 30,
});

const options = { ignoreUndefined: true };

/** One batch of `frames` as bytes. */
export function encodeBatch(frames) {
  const parts = frames.map((f) => encode(f, options));
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The frames of a batch; throws on bytes that are not whole frames. */
export function decodeBatch(bytes) {
  const frames = [];
  for (const f of decodeMulti(bytes)) {
    if (!Array.isArray(f) || typeof f[0] !== "number")
      throw new Error("a frame is not an array starting with its kind");
    frames.push(f);
  }
  return frames;
}
