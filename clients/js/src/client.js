// The client: one connection at a time to a node, a session kept across
// them. See docs/js-client.md for the API, docs/protocol.md for the frames.

import { K, encodeBatch, decodeBatch } from "./frames.js";
import { TetherError } from "./errors.js";
import { backoff } from "./backoff.js";
import { WebSocketTransport, PollingTransport } from "./transports.js";
import { ResultStream } from "./result_stream.js";
import { Room } from "./room.js";

const defaults = {
  auth: {},
  agent: "tether-js/0.1",
  session: true,
  info: {},
  transports: ["websocket", "polling"],
  minDelay: 250,
  maxDelay: 10000,
  connectTimeout: 10000,
  maxRetries: 8,
  maxRedirects: 3,
  persist: false,
  pollWaitMs: 25000,
  ackDelay: 100,
};

/** CLOSE codes after which reconnecting cannot help. */
const FINAL_CLOSE = new Set([1, 6, 8]);

/** Session errors that mean the stream is gone but the session may live. */
const STREAM_LOST = new Set(["resume_gap", "stream_not_found"]);

const transportsByName = { websocket: WebSocketTransport, polling: PollingTransport };

export class Client {
  constructor(url, options = {}) {
    this.options = { ...defaults, ...options };
    for (const t of this.options.transports)
      if (!transportsByName[t]) throw new TypeError(`unknown transport '${t}'`);
    this.baseUrl = url;
    this.url = url;
    /** connecting, connected, disconnected or closed (for good). */
    this.state = "disconnected";
    this.transport = null;
    this.live = false;
    this.welcome = null;
    /** {id, key, token}: the session and this client's stream of it. */
    this.sess = null;
    this.lastSeq = 0;
    this.acked = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.signals = new Map();
    this.listeners = new Map();
    this.handlers = new Map();
    this.rooms = new Map();
    this.attempt = 0;
    this.redirects = 0;
    this.websocketFailed = false;
    this.timers = {};
    this.restore();
  }

  // -- public API -----------------------------------------------------------

  /** The session's public id (what other members see), or null. */
  get session() {
    return this.sess ? this.sess.id : null;
  }

  /** The session's key, a secret another client attaches with. */
  get sessionKey() {
    return this.sess ? this.sess.key : null;
  }

  /** WELCOME's node name, limits and connection id (null before). */
  get node() {
    return this.welcome;
  }

  /** The transport in use: `websocket`, `polling` or null. */
  get transportName() {
    return this.transport ? this.transport.name : null;
  }

  /** Resolves once connected (at once if it is), rejects once closed. */
  connected() {
    if (this.state === "connected") return Promise.resolve();
    if (this.state === "closed") return Promise.reject(new TetherError("closed", "client closed"));
    return new Promise((resolve, reject) => {
      const offs = [
        this.onEvent("connected", () => (offs.forEach((f) => f()), resolve())),
        this.onEvent("closed", (e) => (offs.forEach((f) => f()), reject(new TetherError("closed", e.reason)))),
      ];
    });
  }

  /**
   * REQUEST `op`: resolves with the REPLY's payload, rejects with a
   * TetherError. Made while away, it goes out once connected; after a
   * resume it is sent again under its id and the node runs it once.
   */
  call(op, payload = null, options = {}) {
    return this.begin("request", op, payload, options).promise;
  }

  /** REQUEST `op` whose answer is RESULT_PART frames: an async iterator. */
  stream(op, payload = null, options = {}) {
    const rec = this.begin("request", op, payload, options);
    rec.promise.catch(() => {});
    return rec.results;
  }

  /**
   * STREAM `op` with `payload` as its first part: `write` sends the next
   * parts, `end` the last; `result` is the answer. Parts are kept until
   * answered and sent again after a resume (the node takes each once).
   */
  upload(op, payload = null, options = {}) {
    const rec = this.begin("stream", op, payload, options);
    const part = (p, last) => {
      if (rec.ended) throw new TetherError("invalid", "the upload has ended");
      rec.ended = last;
      rec.parts.push(p);
      if (rec.sent && this.live)
        this.send([[K.STREAM_PART, rec.id, p, last, rec.parts.length]]);
    };
    return {
      id: rec.id,
      write: (p) => part(p, false),
      end: (p = null) => part(p, true),
      result: rec.promise,
    };
  }

  /** SIGNAL, fire and forget: false when not connected (then not sent). */
  signal(name, payload = null) {
    if (!this.live) return false;
    this.send([[K.SIGNAL, name, payload]]);
    return true;
  }

  /** `fn(payload, name)` for SIGNAL `name` (`*`: every SIGNAL). */
  on(name, fn) {
    return subscribe(this.signals, name, fn);
  }

  /**
   * Connection events, `fn(detail)`: connecting {url, attempt, transport},
   * connected {node, conn, session, resumed, transport}, disconnected
   * {code, reason, reconnect, delay}, resumed {lastSeq}, resume_gap
   * {reason}, session {session, fresh}, closed {code, reason}, state
   * {state}.
   */
  onEvent(type, fn) {
    return subscribe(this.listeners, type, fn);
  }

  /** Serves the node's REQUEST `op`: `fn(payload)` returns the answer. */
  handle(op, fn) {
    this.handlers.set(op, fn);
    return () => this.handlers.delete(op);
  }

  /** The room `id` (join it with `.join()`). */
  room(id) {
    if (!this.rooms.has(id)) this.rooms.set(id, new Room(this, id));
    return this.rooms.get(id);
  }

  /** `room.create`: a new room (this session its owner once it joins). */
  async createRoom({ type, maxMembers, ttlS, props, presence } = {}) {
    const r = await this.call("room.create", {
      type,
      max_members: maxMembers,
      ttl_s: ttlS,
      props,
      presence,
    });
    return this.room(r.room);
  }

  /**
   * Drops the connection now, as a failing network would, and reconnects
   * (resuming the session): after the app saw the network change, say.
   */
  reconnect() {
    if (this.state === "closed") return;
    if (this.transport) this.transport.close();
    else this.schedule(0);
  }

  /**
   * Stops for good: CLOSE 0, every open call rejected with `closed`. The
   * session lives on at the node for its TTL (see `closeSession`).
   */
  close(reason = "") {
    if (this.state === "closed") return;
    if (this.live) this.send([[K.CLOSE, 0, reason, ""]]);
    this.shutdown({ code: 0, reason: reason || "closed by the client" });
  }

  /** SESSION_CLOSE: ends the session at the node, then closes. */
  async closeSession() {
    if (this.sess && this.live) {
      const id = this.takeId();
      await new Promise((resolve) => {
        this.pending.set(id, { id, kind: "session_close", resolve, reject: resolve, sent: true });
        this.send([[K.SESSION_CLOSE, id]]);
      });
    }
    this.forget();
    this.close("session closed");
  }

  // -- connecting -------------------------------------------------------------

  /** @internal Starts the first connection. */
  start() {
    this.open();
    return this;
  }

  open() {
    if (this.state === "closed") return;
    const names = this.options.transports;
    const polling = names.includes("polling");
    const name = names.includes("websocket") && !(this.websocketFailed && polling) ? "websocket" : "polling";
    const t = new transportsByName[name](
      this.url,
      {
        message: (bytes) => t === this.transport && this.received(bytes),
        closed: (info) => t === this.transport && this.ended(info),
      },
      { waitMs: this.options.pollWaitMs },
    );
    this.transport = t;
    this.closeFrame = null;
    this.sessionStep = null;
    this.setState("connecting", { url: this.url, attempt: this.attempt, transport: name });
    this.timer("connect", this.options.connectTimeout, () => {
      this.closeFrame = { code: null, message: "no WELCOME in time" };
      t.close();
    });
    t.start(encodeBatch([[K.HELLO, 1, this.options.agent, this.options.auth]]));
  }

  ended(info) {
    const t = this.transport;
    this.transport = null;
    this.live = false;
    for (const name of ["connect", "heartbeat", "ack"]) this.timer(name);
    const close = this.closeFrame || {};
    const code = close.code ?? null;
    const reason = close.message || info.reason;
    // Without a session an answer that did not come never will.
    if (!this.sess || !this.options.session)
      for (const rec of [...this.pending.values()])
        if (rec.sent) this.settle(rec, new TetherError("disconnected", reason));
    if (this.state === "closed") return;
    if (FINAL_CLOSE.has(code)) {
      this.emit("disconnected", { code, reason, reconnect: false });
      return this.shutdown({ code, reason });
    }
    let delay;
    // Neither opens: the node is down, not the WebSocket blocked.
    if (t.name === "polling" && !info.opened) this.websocketFailed = false;
    if (t.name === "websocket" && !info.opened && this.options.transports.includes("polling")) {
      // The WebSocket cannot open here (a proxy?): long polling instead.
      this.websocketFailed = true;
      delay = 0;
    } else if (code === 5 && close.redirect && this.redirects < this.options.maxRedirects) {
      this.redirects++;
      this.url = close.redirect;
      delay = 0;
    } else {
      if (!info.opened || this.redirects >= this.options.maxRedirects) this.url = this.baseUrl;
      this.redirects = 0;
      delay = backoff(this.attempt++, this.options.minDelay, this.options.maxDelay);
    }
    this.emit("disconnected", { code, reason, reconnect: true, delay });
    this.schedule(delay);
  }

  schedule(delay) {
    this.setState("disconnected");
    this.timer("reconnect", delay, () => this.open());
  }

  shutdown({ code, reason }) {
    this.state = "closed";
    for (const name of Object.keys(this.timers)) this.timer(name);
    if (this.transport) {
      const t = this.transport;
      this.transport = null;
      t.close();
    }
    this.live = false;
    for (const rec of [...this.pending.values()]) this.settle(rec, new TetherError("closed", reason));
    this.emit("state", { state: "closed" });
    this.emit("closed", { code, reason });
  }

  // -- reading ------------------------------------------------------------------

  received(bytes) {
    this.heard = Date.now();
    let frames;
    try {
      frames = decodeBatch(bytes);
    } catch (e) {
      this.closeFrame = { code: null, message: `undecodable message from the node: ${e.message}` };
      return this.transport.close();
    }
    for (const f of frames) {
      if (!this.transport) return;
      this.frame(f);
    }
  }

  frame(f) {
    switch (f[0]) {
      case K.WELCOME:
        return this.welcomed(f);
      case K.HEARTBEAT:
        return;
      case K.CLOSE:
        this.closeFrame = { code: f[1], message: f[2], redirect: f[3] };
        return this.transport.close();
      case K.SESSION:
        return this.sessionAnswered(f);
      case K.SEQ:
        if (f[1] <= this.lastSeq) return; // Seen before the drop.
        this.lastSeq = f[1];
        this.dispatch(f[2]);
        return this.acknowledge();
      case K.ERROR:
        if (this.sessionStep && f[1] === this.sessionStep.id) return this.sessionRefused(f[2], f[3]);
        return this.dispatch(f);
      default:
        return this.dispatch(f);
    }
  }

  welcomed(f) {
    this.timer("connect");
    const limits = f[5] || {};
    this.welcome = { version: f[1], node: f[2], conn: f[3], heartbeatMs: f[4], limits };
    this.sent = Date.now();
    const beat = Math.max(100, Math.min(f[4] / 2, 5000));
    this.timer("heartbeat", beat, () => this.beat(), true);
    if (this.options.session) this.attach();
    else this.goLive(false);
  }

  beat() {
    const hb = this.welcome.heartbeatMs;
    if (Date.now() - this.heard > 3 * hb + 1000) {
      this.closeFrame = { code: null, message: "the node went silent" };
      return this.transport && this.transport.close();
    }
    if (Date.now() - this.sent >= hb / 2) this.send([[K.HEARTBEAT, 0, Math.floor(Date.now() / 1000)]]);
  }

  /** SESSION_RESUME, else SESSION_ATTACH, else SESSION_OPEN. */
  attach(step) {
    const id = this.takeId();
    const s = this.sess;
    step = step || (s && s.token ? "resume" : s && s.key ? "attach" : "open");
    this.sessionStep = { id, step };
    const frame =
      step === "resume"
        ? [K.SESSION_RESUME, id, s.token, this.lastSeq]
        : step === "attach"
          ? [K.SESSION_ATTACH, id, s.key]
          : [K.SESSION_OPEN, id, this.options.info];
    this.send([frame]);
  }

  sessionAnswered(f) {
    const step = this.sessionStep;
    if (!step || f[1] !== step.id) return;
    this.sessionStep = null;
    const fresh = !this.sess || this.sess.id !== f[2];
    const lost = step.lost;
    this.sess = { id: f[2], key: f[3], token: f[4] };
    if (step.step !== "resume") {
      // A new stream: its numbering starts over, and what was sent on the
      // old one may have run with its answer lost.
      this.lastSeq = this.acked = f[5];
      for (const rec of [...this.pending.values()])
        if (rec.sent) this.settle(rec, new TetherError("resume_gap", "its answer was lost with the stream"));
    }
    this.save();
    if (lost) this.emit("resume_gap", { reason: lost });
    if (fresh || step.step === "open") this.emit("session", { session: f[2], fresh: step.step === "open" });
    if (f[6]) this.emit("resumed", { lastSeq: f[5] });
    this.goLive(Boolean(f[6]));
  }

  sessionRefused(code, message) {
    const step = this.sessionStep;
    this.sessionStep = null;
    if (step.step === "resume" && STREAM_LOST.has(code)) {
      this.sess.token = null;
      return this.attachAfterLoss(code);
    }
    if (step.step === "attach" && code === "session_not_found") {
      this.sess = null;
      return this.attachAfterLoss(step.lost || code, "open");
    }
    this.closeFrame = { code: null, message: `${code}: ${message}` };
    this.transport.close();
  }

  attachAfterLoss(reason, step) {
    this.attach(step);
    this.sessionStep.lost = reason;
  }

  goLive(resumed) {
    this.live = true;
    this.attempt = 0;
    this.redirects = 0;
    this.setState("connected", {
      node: this.welcome.node,
      conn: this.welcome.conn,
      session: this.session,
      resumed,
      transport: this.transportName,
    });
    const recs = [...this.pending.values()].filter((r) => !r.waiting && r.kind !== "session_close");
    recs.sort((a, b) => a.id - b.id);
    const frames = [];
    for (const rec of recs) frames.push(...this.framesOf(rec));
    if (frames.length) this.send(frames);
  }

  // -- the stream's frames ------------------------------------------------------

  dispatch(f) {
    const rec = this.pending.get(f[1]);
    switch (f[0]) {
      case K.REPLY:
        if (rec) {
          if (rec.results) rec.results.push(f[2], true);
          this.settle(rec, null, f[2]);
        }
        return;
      case K.ERROR:
        if (rec) this.settle(rec, new TetherError(f[2], f[3]));
        return;
      case K.RETRY:
        if (rec) this.retry(rec, f[2], f[3]);
        return;
      case K.RESULT_PART:
        if (rec && rec.results) {
          rec.results.push(f[2], f[3]);
          if (f[3]) this.settle(rec, null, f[2]);
        }
        return;
      case K.SIGNAL:
        return this.signalled(f[1], f[2]);
      case K.ROOM_MESSAGE: {
        const room = this.rooms.get(f[1]);
        if (room) room.emit("message", { from: f[2], name: f[3], payload: f[4] });
        return;
      }
      case K.REQUEST:
        return this.serve(f[1], f[2], f[3]);
      case K.STREAM:
        return this.send([[K.ERROR, f[1], "unknown_op", "this client takes no streams"]]);
      case K.SESSION_CLOSED:
        this.forget();
        return this.shutdown({ code: 0, reason: `session closed: ${f[1]}` });
      default:
        return; // CANCEL of a request already answered, or newer kinds.
    }
  }

  signalled(name, payload) {
    if (name.startsWith("room.") && payload && typeof payload.room === "string") {
      const room = this.rooms.get(payload.room);
      if (room) room.event(name.slice(5), payload);
    }
    for (const key of [name, "*"])
      for (const fn of this.signals.get(key) || []) guard(() => fn(payload, name));
  }

  async serve(id, op, payload) {
    const fn = this.handlers.get(op);
    let answer;
    try {
      if (!fn) throw new TetherError("unknown_op", `no handler for '${op}'`);
      answer = [K.REPLY, id, await fn(payload)];
    } catch (e) {
      answer =
        e instanceof TetherError
          ? [K.ERROR, id, e.code, e.message]
          : [K.ERROR, id, "internal", "the client's handler failed"];
      if (!(e instanceof TetherError)) console.error(`tether: handler of '${op}'`, e);
    }
    if (this.live) this.send([answer]);
  }

  acknowledge() {
    const every = Math.max(1, Math.floor((this.welcome.limits.ack_every || 64) / 2));
    if (this.lastSeq - this.acked >= every) return this.ack();
    if (!this.timers.ack) this.timer("ack", this.options.ackDelay, () => this.ack());
  }

  ack() {
    this.timer("ack");
    if (!this.live || this.lastSeq <= this.acked) return;
    this.acked = this.lastSeq;
    this.send([[K.ACK, this.acked]]);
    this.save();
  }

  // -- calls --------------------------------------------------------------------

  begin(kind, op, payload, { timeout = 0, signal } = {}) {
    const rec = { id: this.takeId(), kind, op, payload, parts: [], retries: 0, sent: false };
    rec.promise = new Promise((resolve, reject) => {
      rec.resolve = resolve;
      rec.reject = reject;
    });
    rec.results = new ResultStream(() => this.cancel(rec, "cancelled"));
    if (this.state === "closed") {
      rec.reject(new TetherError("closed", "client closed"));
      return rec;
    }
    this.pending.set(rec.id, rec);
    if (timeout > 0) rec.timeout = setTimeout(() => this.cancel(rec, "timeout"), timeout);
    if (signal) {
      if (signal.aborted) this.cancel(rec, "cancelled");
      else signal.addEventListener("abort", () => this.cancel(rec, "cancelled"), { once: true });
    }
    if (this.live && this.pending.has(rec.id)) this.send(this.framesOf(rec));
    return rec;
  }

  framesOf(rec) {
    rec.sent = true;
    if (rec.kind === "request") return [[K.REQUEST, rec.id, rec.op, rec.payload]];
    const frames = [[K.STREAM, rec.id, rec.op, rec.payload]];
    rec.parts.forEach((p, i) => frames.push([K.STREAM_PART, rec.id, p, rec.ended && i === rec.parts.length - 1, i + 1]));
    return frames;
  }

  retry(rec, waitMs, reason) {
    rec.sent = false;
    // A draining node: the call goes out again on the next connection.
    if (reason === "shutdown") return;
    if (rec.retries++ >= this.options.maxRetries)
      return this.settle(rec, new TetherError(reason, `still refused after ${this.options.maxRetries} retries`, { retry: true }));
    rec.waiting = setTimeout(() => {
      rec.waiting = null;
      if (this.live && this.pending.has(rec.id)) this.send(this.framesOf(rec));
    }, waitMs);
  }

  cancel(rec, code) {
    if (!this.pending.has(rec.id)) return;
    if (rec.sent && this.live) this.send([[K.CANCEL, rec.id]]);
    this.settle(rec, new TetherError(code, code === "timeout" ? `no answer to '${rec.op}' in time` : "cancelled by the caller"));
  }

  settle(rec, error, value) {
    if (!this.pending.delete(rec.id)) return;
    clearTimeout(rec.timeout);
    clearTimeout(rec.waiting);
    if (error) {
      if (rec.results) rec.results.fail(error);
      rec.reject(error);
    } else rec.resolve(value);
  }

  takeId() {
    const id = this.nextId++;
    if (this.options.persist) this.save();
    return id;
  }

  // -- plumbing -----------------------------------------------------------------

  send(frames) {
    if (!this.transport) return;
    this.sent = Date.now();
    this.transport.send(encodeBatch(frames));
  }

  setState(state, detail) {
    this.state = state;
    this.emit("state", { state });
    if (detail) this.emit(state, detail);
  }

  emit(type, detail) {
    for (const fn of this.listeners.get(type) || []) guard(() => fn(detail));
  }

  /** Sets (or with no `fn` clears) the timer `name`. */
  timer(name, ms, fn, repeat = false) {
    const t = this.timers[name];
    if (t) (t.repeat ? clearInterval : clearTimeout)(t.handle);
    delete this.timers[name];
    if (!fn) return;
    const handle = repeat
      ? setInterval(fn, ms)
      : setTimeout(() => {
          delete this.timers[name];
          fn();
        }, ms);
    this.timers[name] = { handle, repeat };
  }

  storageKey() {
    return `tether:${this.baseUrl}`;
  }

  /** With `persist`: the stream survives a page reload (sessionStorage). */
  save() {
    if (!this.options.persist || typeof sessionStorage === "undefined") return;
    if (!this.sess) return sessionStorage.removeItem(this.storageKey());
    const { id, key, token } = this.sess;
    const state = { id, key, token, lastSeq: this.acked, nextId: this.nextId };
    sessionStorage.setItem(this.storageKey(), JSON.stringify(state));
  }

  restore() {
    if (!this.options.persist || typeof sessionStorage === "undefined") return;
    try {
      const s = JSON.parse(sessionStorage.getItem(this.storageKey()) || "null");
      if (!s || typeof s.token !== "string") return;
      this.sess = { id: s.id, key: s.key, token: s.token };
      this.lastSeq = this.acked = s.lastSeq;
      this.nextId = s.nextId;
    } catch {}
  }

  forget() {
    this.sess = null;
    this.save();
  }
}

function subscribe(map, key, fn) {
  if (!map.has(key)) map.set(key, new Set());
  map.get(key).add(fn);
  return () => map.get(key).delete(fn);
}

function guard(fn) {
  try {
    fn();
  } catch (e) {
    console.error("tether: handler failed", e);
  }
}

/** A client connecting to `url` (ws:// or wss://) at once. */
export function connect(url, options) {
  return new Client(url, options).start();
}
