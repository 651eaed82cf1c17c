// The browser client against a real node, in Chromium: calls and errors,
// streams, a session resumed across a node restart and across a dropped
// socket, and two pages in one room.

import { startNode, openPage, tempDir, freePort, until, check, same, run, testPage } from "./harness.mjs";

const port = await freePort();
const dir = tempDir();
const args = ["--listen", `127.0.0.1:${port}`, "--data-dir", dir, "--static", testPage, "--log-level", "warning"];
let node = await startNode(args);

await run([
  [
    "echo and errors",
    async () => {
      const page = await openPage(node.http + "/");
      const out = await page.evaluate(async (url) => {
        const c = tether.connect(url);
        await c.connected();
        const out = { transport: c.transportName };
        const echo = await c.call("sys.echo", { a: 1, list: [1, "two", null], bin: new Uint8Array([1, 2, 3]) });
        out.echo = { ...echo, bin: Array.from(echo.bin) };
        for (const [op, payload] of [["no.such.op", null], ["room.join", { room: "nope" }]]) {
          try {
            await c.call(op, payload);
          } catch (e) {
            out[op] = [e.name, e.code];
          }
        }
        out.parts = [];
        for await (const p of c.stream("sys.stream", { count: 3, size: 5 })) out.parts.push(p.length);
        const up = c.upload("sys.sink", new Uint8Array(4));
        up.write(new Uint8Array(6));
        up.end(new Uint8Array(10));
        out.sink = await up.result;
        const pushes = [];
        c.on("tick", (p) => pushes.push(p));
        await c.call("sys.push", { name: "tick", payload: 7, count: 3 });
        await until(() => pushes.length === 3);
        out.pushes = pushes;
        try {
          await c.call("sys.echo", 1, { signal: AbortSignal.abort() });
        } catch (e) {
          out.aborted = e.code;
        }
        c.close();
        try {
          await c.call("sys.echo", 1);
        } catch (e) {
          out.afterClose = e.code;
        }
        return out;
      }, node.url);
      same(out.transport, "websocket", "transport");
      same(out.echo, { a: 1, list: [1, "two", null], bin: [1, 2, 3] }, "sys.echo");
      same(out["no.such.op"], ["TetherError", "unknown_op"], "unknown op");
      same(out["room.join"], ["TetherError", "room_not_found"], "unknown room");
      same(out.parts, [5, 5, 5], "sys.stream's parts");
      same(out.sink, { parts: 3, bytes: 20 }, "sys.sink");
      same(out.pushes, [7, 7, 7], "sys.push's signals");
      same(out.aborted, "cancelled", "an aborted call");
      same(out.afterClose, "closed", "a call after close");
    },
  ],
  [
    "a session resumed after the node restarts gets every message once and in order",
    async () => {
      const page = await openPage(node.http + "/");
      await page.evaluate(async (url) => {
        const c = (window.c = tether.connect(url, { minDelay: 50, maxDelay: 500 }));
        window.events = [];
        for (const e of ["disconnected", "resumed", "resume_gap"])
          c.onEvent(e, (d) => events.push(e === "disconnected" ? `${e} ${d.code}` : e));
        await c.connected();
        const room = await c.createRoom({ ttlS: 600 });
        await room.join();
        window.got = [];
        room.on("message", (m) => got.push(m.payload));
        // 1 to 20 before the restart, 21 to 40 from when it has begun.
        const half = new Promise((resolve) => (window.go = resolve));
        window.sent = (async () => {
          for (let i = 1; i <= 40; i++) {
            if (i === 21) await half;
            await room.broadcast("n", i);
          }
        })();
      }, node.url);
      await until("20 messages", () => page.evaluate(() => got.length >= 20));
      const session = await page.evaluate(() => c.session);
      // The node drains (CLOSE 5, no redirect: it is alone), keeps its
      // sessions in its store, and comes back on the same port.
      const stopped = node.stop("SIGTERM");
      await page.evaluate(() => go());
      same(await stopped, 0, "the node's exit code");
      node = await startNode(args);
      await page.evaluate(() => sent);
      await until("40 messages", () => page.evaluate(() => got.length >= 40));
      await until("resumed", () => page.evaluate(() => events.some((e) => e.startsWith("resume"))));
      const r = await page.evaluate(() => ({ got, events, session: c.session, state: c.state }));
      same(r.got, Array.from({ length: 40 }, (_, i) => i + 1), "messages");
      same(r.session, session, "the session");
      check(r.events.includes("disconnected 5"), `CLOSE 5 seen: ${r.events}`);
      check(r.events.includes("resumed") && !r.events.includes("resume_gap"), `resumed: ${r.events}`);
      same(r.state, "connected", "state");
      await page.evaluate(() => c.close());
    },
  ],
  [
    "a request in flight when the socket drops is performed once",
    async () => {
      const page = await openPage(node.http + "/");
      const r = await page.evaluate(async (url) => {
        const c = tether.connect(url, { minDelay: 20, maxDelay: 200 });
        await c.connected();
        const room = await c.createRoom();
        await room.join();
        const resumed = new Promise((r) => c.onEvent("resumed", r));
        // Sent, then the socket closes under it: the answer comes by the
        // replay or by the request sent again, and the node runs it once.
        const answers = [room.incr("n", 1), room.incr("n", 10)];
        c.reconnect();
        const values = await Promise.all(answers);
        await resumed;
        const n = await room.getProps(["n"]);
        c.close();
        return { values, n };
      }, node.url);
      same(r.values, [1, 11], "the answers");
      same(r.n, { n: 11 }, "the counter");
    },
  ],
  [
    "two pages chat in a room",
    async () => {
      const a = await openPage(node.http + "/");
      const b = await openPage(node.http + "/");
      const start = (page, name) =>
        page.evaluate(
          async ({ url, name }) => {
            window.c = tether.connect(url, { info: { name } });
            await c.connected();
            window.heard = [];
            window.events = [];
            return c.session;
          },
          { url: node.url, name },
        );
      const ida = await start(a, "ada");
      const idb = await start(b, "bob");
      const room = await a.evaluate(async () => {
        window.room = await c.createRoom();
        await room.join();
        room.on("message", (m) => heard.push(m));
        room.on("joined", (e) => events.push(["joined", e.member, e.info.name]));
        return room.id;
      });
      const joined = await b.evaluate(async (id) => {
        window.room = c.room(id);
        room.on("message", (m) => heard.push(m));
        room.on("left", (e) => events.push(["left", e.member]));
        const r = await room.join();
        return r.members;
      }, room);
      same(joined, [ida, idb], "members at join");
      await until("bob's arrival", () => a.evaluate(() => events.length === 1));
      same(await a.evaluate(() => events[0]), ["joined", idb, "bob"], "A sees B join");
      same(await a.evaluate(() => room.members), [ida, idb], "A's member list");
      await a.evaluate(() => room.broadcast("chat", { text: "hi bob" }, { excludeSelf: true }));
      await b.evaluate((ida) => room.send([ida], "chat", { text: "hi ada" }), ida);
      await until("B hears A", () => b.evaluate(() => heard.length === 1));
      await until("A hears B", () => a.evaluate(() => heard.length === 1));
      same(await b.evaluate(() => heard), [{ from: ida, name: "chat", payload: { text: "hi bob" } }], "B's messages");
      same(await a.evaluate(() => heard), [{ from: idb, name: "chat", payload: { text: "hi ada" } }], "A's messages");
      await a.evaluate(() => room.leave());
      await until("A left", () => b.evaluate(() => events.length === 1));
      same(await b.evaluate(() => [events[0], room.members]), [["left", ida], [idb]], "B sees A leave");
    },
  ],
]);
