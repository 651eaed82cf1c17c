// The two ways frames travel: a WebSocket, or long polling over plain
// HTTP (POST /poll, POST and GET /poll/CONN). Both hand the client whole
// batches and tell it once when they end; `opened` says whether the node
// was ever reached (a WebSocket that never opened: try polling).

import { K, decodeBatch } from "./frames.js";

/** A WebSocket to `url` (ws:// or wss://). */
export class WebSocketTransport {
  constructor(url, sink) {
    this.name = "websocket";
    this.sink = sink;
    this.opened = false;
    this.ended = false;
    this.ws = new WebSocket(url);
    this.ws.binaryType = "arraybuffer";
  }

  /** Opens, then sends `first` (the HELLO). */
  start(first) {
    const ws = this.ws;
    ws.onopen = () => {
      this.opened = true;
      ws.send(first);
    };
    ws.onmessage = (e) => {
      if (this.ended) return;
      if (typeof e.data === "string") return this.end(1003, "text message from the node");
      this.sink.message(new Uint8Array(e.data));
    };
    ws.onclose = (e) => this.end(e.code, e.reason || "connection closed");
  }

  send(bytes) {
    if (!this.ended && this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes);
  }

  /** Ends it at once, as a failing network would. */
  close() {
    this.end(1000, "closed by the client");
  }

  end(code, reason) {
    if (this.ended) return;
    this.ended = true;
    try {
      this.ws.close();
    } catch {}
    this.sink.closed({ code, reason, opened: this.opened });
  }
}

/** The node's HTTP origin for a client URL: ws://h:p/ws gives http://h:p. */
export function httpOrigin(url) {
  const u = new URL(url);
  u.protocol = u.protocol === "wss:" ? "https:" : u.protocol === "ws:" ? "http:" : u.protocol;
  return u.origin;
}

const msgpack = { "Content-Type": "application/msgpack" };

/** Long polling at the node named by `url` (its ws:// URL). */
export class PollingTransport {
  constructor(url, sink, { waitMs = 25000 } = {}) {
    this.name = "polling";
    this.sink = sink;
    this.origin = httpOrigin(url);
    this.waitMs = waitMs;
    this.opened = false;
    this.ended = false;
    this.conn = null;
    this.outbox = [];
    this.posting = false;
    this.abort = new AbortController();
  }

  async start(first) {
    try {
      const res = await this.fetch("/poll", { method: "POST", headers: msgpack, body: first });
      if (res.status !== 200)
        return this.end(0, `POST /poll answered ${res.status}`);
      const body = new Uint8Array(await res.arrayBuffer());
      for (const f of decodeBatch(body)) if (f[0] === K.WELCOME) this.conn = String(f[3]);
      if (this.conn === null) return this.end(0, "POST /poll answered no WELCOME");
      this.opened = true;
      this.sink.message(body);
      this.flush();
      this.poll();
    } catch (e) {
      this.end(0, `POST /poll failed: ${e.message}`);
    }
  }

  async poll() {
    while (!this.ended) {
      let res;
      try {
        res = await this.fetch(`/poll/${encodeURIComponent(this.conn)}?wait_ms=${this.waitMs}`, {
          method: "GET",
        });
      } catch (e) {
        return this.end(0, `GET /poll failed: ${e.message}`);
      }
      if (res.status === 204) continue;
      if (res.status !== 200) return this.end(0, `GET /poll answered ${res.status}`);
      const body = new Uint8Array(await res.arrayBuffer());
      if (!this.ended && body.length > 0) this.sink.message(body);
    }
  }

  send(bytes) {
    if (this.ended) return;
    this.outbox.push(bytes);
    this.flush();
  }

  // One POST at a time, so that the node gets frames in order; what comes
  // meanwhile goes out together in the next.
  async flush() {
    if (this.posting || this.conn === null || this.outbox.length === 0) return;
    this.posting = true;
    const parts = this.outbox.splice(0);
    const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      body.set(p, at);
      at += p.length;
    }
    try {
      // Not cancelled by `close()`: the last POST carries the client's CLOSE.
      const res = await this.fetch(`/poll/${encodeURIComponent(this.conn)}`, {
        method: "POST",
        headers: msgpack,
        body,
        signal: undefined,
      });
      if (res.status >= 300) return this.end(0, `POST /poll/CONN answered ${res.status}`);
    } catch (e) {
      return this.end(0, `POST /poll/CONN failed: ${e.message}`);
    } finally {
      this.posting = false;
    }
    this.flush();
  }

  fetch(path, init) {
    return fetch(this.origin + path, { cache: "no-store", signal: this.abort.signal, ...init });
  }

  /** Ends it at once; frames already sent (a CLOSE) still go out. */
  close() {
    this.end(0, "closed by the client");
  }

  end(code, reason) {
    if (this.ended) return;
    this.ended = true;
    // Only the waiting GET and an unanswered opening POST are cut.
    this.abort.abort();
    this.sink.closed({ code, reason, opened: this.opened });
  }
}
