// CLOSE 5 with a redirect, in Chromium: two real nodes in a cluster; the
// admin API moves the page's session from the node it is connected to to
// the other, whose URL comes in CLOSE 5; the client follows it and
// resumes there, with nothing lost.

import { randomBytes } from "node:crypto";
import { startNode, openPage, until, same, check, run, testPage } from "./harness.mjs";

const secret = randomBytes(32).toString("hex");
const token = "browser-test-admin";
const common = ["--listen", "127.0.0.1:0", "--cluster-listen", "127.0.0.1:0", "--secret", secret,
  "--admin-token", token, "--store", "none", "--static", testPage, "--log-level", "warning"];
const a = await startNode([...common, "--node-name", "a"], { cluster: true });
const b = await startNode([...common, "--node-name", "b", "--join", a.cluster], { cluster: true });

const admin = async (node, method, path, body) => {
  const res = await fetch(node.http + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
};

await run([
  [
    "a CLOSE 5 redirect is followed to the session's new node",
    async () => {
      await until("b up at a", async () => {
        const r = await admin(a, "GET", "/api/v1/node");
        return r.body?.cluster?.some((n) => n.node === "b" && n.state === "up");
      });
      const page = await openPage(a.http + "/");
      const session = await page.evaluate(async (url) => {
        const c = (window.c = tether.connect(url, { minDelay: 20, maxDelay: 200 }));
        window.events = [];
        c.onEvent("connected", (e) => events.push(["connected", e.node, e.resumed]));
        c.onEvent("disconnected", (e) => events.push(["disconnected", e.code]));
        await c.connected();
        window.pushes = [];
        c.on("n", (p) => pushes.push(p));
        await c.call("sys.push", { name: "n", payload: 1, count: 5 });
        return c.session;
      }, a.url);
      const moved = await admin(a, "POST", `/api/v1/sessions/${session}/migrate`, { to: "b" });
      same([moved.status, moved.body.session, moved.body.node], [200, session, "b"], "the migration");
      await until("connected to b", () => page.evaluate(() => events.length >= 3));
      const r = await page.evaluate(async () => {
        const echo = await c.call("sys.echo", "at b");
        await until(() => pushes.length === 5);
        return { events, echo, pushes, session: c.session, url: c.url };
      });
      same(r.events, [["connected", "a", false], ["disconnected", 5], ["connected", "b", true]], "events");
      same(r.session, session, "the session");
      same(r.echo, "at b", "a call at b");
      same(r.pushes, [1, 1, 1, 1, 1], "pushes");
      check(r.url === b.url, `now at ${b.url}: ${r.url}`);
    },
  ],
]);
