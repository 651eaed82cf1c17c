// Long polling in Chromium, the WebSocket ruled out: by the `transports`
// option, and by a node whose WebSocket path the page cannot open (the
// client falls back by itself). Skipped (CTest's code 77) while the node
// answers POST /poll with 404: it has no long polling yet.

import { startNode, openPage, tempDir, same, run, finish, testPage, SKIP } from "./harness.mjs";

const node = await startNode(["--listen", "127.0.0.1:0", "--store", "none", "--data-dir", tempDir(),
  "--static", testPage, "--log-level", "warning"]);
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
]);
