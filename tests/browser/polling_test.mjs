// Long polling in Chromium, the WebSocket ruled out: by the `transports`
// option, and by a node whose WebSocket path the page cannot open (the
// client falls back by itself). Skipped (CTest's code 77) while the node
// answers POST /poll with 404: it has no long polling yet.

import { startNode, openPage, tempDir, same, run, finish, testPage, SKIP, until } from "./harness.mjs";

const nodeArgs = () => ["--listen", "127.0.0.1:0", "--store", "none", "--data-dir", tempDir(),
  "--static", testPage, "--log-level", "warning"];
const node = await startNode(nodeArgs());
const probe = await fetch(node.http + "/poll", { method: "POST", body: new Uint8Array([0x90]) });
if (probe.status === 404) {
  console.log("skipped: this node has no long polling (POST /poll answers 404)");
  await finish(SKIP);
}

const session = (options) =>
  async (page, url) =>
    page.evaluate(
      async ({ url, options }) => {
        const c = tether.connect(url, options);
        await c.connected();
        const out = { transport: c.transportName, echo: await c.call("sys.echo", { over: "http" }) };
        const pushes = [];
        c.on("p", (x) => pushes.push(x));
        await c.call("sys.push", { name: "p", payload: "x", count: 3 });
        await until(() => pushes.length === 3);
        const resumed = new Promise((r) => c.onEvent("resumed", r));
        const answer = c.call("sys.echo", "in flight");
        c.reconnect();
        out.inFlight = await answer;
        await resumed;
        out.after = c.transportName;
        c.close();
        return out;
      },
      { url, options },
    );

/** The `tether_connections` gauge of `n`. */
async function connections(n) {
  const text = await (await fetch(n.http + "/metrics")).text();
  return Number(/^tether_connections (\d+)$/m.exec(text)[1]);
}

await run([
  [
    "long polling with the WebSocket turned off",
    async () => {
      const page = await openPage(node.http + "/");
      const r = await session({ transports: ["polling"], minDelay: 20, maxDelay: 200 })(page, node.url);
      same(r, { transport: "polling", echo: { over: "http" }, inFlight: "in flight", after: "polling" }, "over polling");
    },
  ],
  [
    "a WebSocket that cannot open falls back to long polling",
    async () => {
      const page = await openPage(node.http + "/");
      // The node's WebSocket is at /ws: /no-ws answers 404 to the upgrade.
      const r = await session({ minDelay: 20, maxDelay: 200 })(page, node.url.replace(/\/ws$/, "/no-ws"));
      same(r, { transport: "polling", echo: { over: "http" }, inFlight: "in flight", after: "polling" }, "fallen back");
    },
  ],
  [
    "close() over long polling ends the connection at the node at once",
    async () => {
      // A node of its own: the cases before leave connections that their
      // reconnect() abandoned, open until their idle timeout.
      const own = await startNode(nodeArgs());
      const page = await openPage(own.http + "/");
      await page.evaluate(async (url) => {
        window.c = tether.connect(url, { transports: ["polling"] });
        await c.connected();
        await c.call("sys.echo", 1);
      }, own.url);
      same(await connections(own), 1, "connections while open");
      await page.evaluate(() => {
        // A POST still under way when the CLOSE is sent: the CLOSE waits
        // for it, and neither is cut off.
        c.call("sys.echo", "x".repeat(200000)).catch(() => {});
        c.close("done");
      });
      // The CLOSE is posted, not cut off with the waiting GET: the node
      // does not wait for the connection's idle timeout (60 s).
      await until("the node to see the CLOSE", async () => (await connections(own)) === 0, 5000);
    },
  ],
]);
