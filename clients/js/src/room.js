// A room as its members see it: its ops, its events, and what the client
// knows of it (members, who is away, owner, properties), kept up to date
// from the room's events.

/** Room events (SIGNAL `room.NAME`) and what they change. */
const updates = {
  joined(r, p) {
    if (!r.members.includes(p.member)) r.members.push(p.member);
    if (p.info !== undefined) r.info[p.member] = p.info;
  },
  left(r, p) {
    r.members = r.members.filter((m) => m !== p.member);
    r.away.delete(p.member);
  },
  kicked(r, p) {
    updates.left(r, p);
    if (p.member === r.client.session) r.joined = false;
  },
  away: (r, p) => r.away.add(p.member),
  back: (r, p) => r.away.delete(p.member),
  owner(r, p) {
    r.owner = p.owner;
  },
  props(r, p) {
    Object.assign(r.props, p.changed || {});
  },
  deleted(r) {
    r.joined = false;
    r.members = [];
  },
};

export class Room {
  constructor(client, id) {
    this.client = client;
    this.id = id;
    /** Member session ids, oldest first (rooms with presence). */
    this.members = [];
    /** Members whose session has no connection right now. */
    this.away = new Set();
    /** Session info of members, by id, from their `joined` events. */
    this.info = {};
    this.props = {};
    this.owner = null;
    this.joined = false;
    this.listeners = new Map();
  }

  async join(options = {}) {
    const r = await this.client.call("room.join", { room: this.id }, options);
    this.members = Array.isArray(r.members) ? [...r.members] : [];
    this.props = { ...(r.props || {}) };
    this.joined = true;
    return r;
  }

  async leave(options = {}) {
    await this.client.call("room.leave", { room: this.id }, options);
    this.joined = false;
  }

  /** To every member (the sender too unless `excludeSelf`). */
  broadcast(name, payload, { excludeSelf, delivery, key, ...options } = {}) {
    return this.client.call(
      "room.broadcast",
      { room: this.id, name, payload, exclude_self: excludeSelf, delivery, key },
      options,
    );
  }

  /** To the members named in `to`. */
  send(to, name, payload, { delivery, key, ...options } = {}) {
    return this.client.call("room.send", { room: this.id, to, name, payload, delivery, key }, options);
  }

  async getProps(keys) {
    const r = await this.client.call("room.props.get", { room: this.id, keys });
    return r.props;
  }

  async setProps(props, { ifAbsent } = {}) {
    const r = await this.client.call("room.props.set", { room: this.id, props, if_absent: ifAbsent });
    return r.set;
  }

  async cas(key, expect, value) {
    return (await this.client.call("room.props.cas", { room: this.id, key, expect, value })).value;
  }

  async incr(key, by = 1) {
    return (await this.client.call("room.props.incr", { room: this.id, key, by })).value;
  }

  info() {
    return this.client.call("room.info", { room: this.id });
  }

  kick(member) {
    return this.client.call("room.kick", { room: this.id, member });
  }

  invite(members, payload, { ttlS } = {}) {
    return this.client.call("room.invite", { room: this.id, members, payload, ttl_s: ttlS });
  }

  delete() {
    return this.client.call("room.delete", { room: this.id });
  }

  /**
   * `message` ({from, name, payload}) for ROOM_MESSAGE; `joined`, `left`,
   * `kicked`, `owner`, `props`, `deleted`, `away`, `back` for the room's
   * events (their payload). Returns a function that removes `fn`.
   */
  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    return () => this.listeners.get(event).delete(fn);
  }

  /** @internal */
  event(name, payload) {
    const update = updates[name];
    if (update) update(this, payload);
    this.emit(name, payload);
  }

  /** @internal */
  emit(event, payload) {
    for (const fn of this.listeners.get(event) || []) {
      try {
        fn(payload);
      } catch (e) {
        console.error(`tether: room ${event} handler`, e);
      }
    }
  }
}
