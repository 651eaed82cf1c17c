// What the browser tests share: real tether-node processes, Debian's
// Chromium driven by playwright-core (from clients/js/node_modules), and a
// small runner. Every wait is for a condition, bounded by a deadline.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
const require = createRequire(join(root, "clients", "js", "package.json"));
const { chromium } = require("playwright-core");

/** Set by CTest: the binaries under test. */
export const nodeBin = process.env.TETHER_NODE_BIN;
export const chatBin = process.env.TETHER_CHAT_BIN;
export const testPage = join(here, "page");

/** CTest's SKIP_RETURN_CODE. */
export const SKIP = 77;

const cleanups = [];
export function onExit(fn) {
  cleanups.push(fn);
}

/** A free port on loopback (for a node restarted on the same one). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/**
 * A real node: `bin` with `args`, resolved once it printed its URL (and
 * with --cluster-listen its cluster address).
 */
export function startNode(args, { bin = nodeBin, cluster = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const node = { child, url: null, cluster: null, exited: null };
    const done = new Promise((r) => child.on("exit", (code) => r(code)));
    node.exited = done;
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      out += d;
      const url = /listening on (\S+)/.exec(out);
      const cl = /cluster on (\S+)/.exec(out);
      if (url && (!cluster || cl) && !node.url) {
        node.url = url[1];
        node.cluster = cl ? cl[1] : null;
        node.http = node.url.replace(/^ws/, "http").replace(/\/ws$/, "");
        resolve(node);
      }
    });
    done.then((code) => {
      if (!node.url) reject(new Error(`${bin} exited ${code} before listening:\n${err}`));
    });
    node.stop = async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return done;
    };
    node.log = () => err;
    onExit(() => node.stop("SIGKILL"));
  });
}

/** A data dir of its own, removed at exit. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "tether-browser-"));
  onExit(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let browser;
/** Chromium, once per test process. */
export async function launch() {
  if (browser) return browser;
  browser = await chromium.launch({
    executablePath: process.env.TETHER_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  onExit(() => browser.close());
  return browser;
}

/** A fresh page (its own context: its own storage) at `url`. */
export async function openPage(url, { waitFor = "window.ready === true" } = {}) {
  const b = await launch();
  const context = await b.newContext({ viewport: { width: 1100, height: 700 } });
  const page = await context.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
  page.logs = logs;
  await page.goto(url);
  await page.waitForFunction(waitFor, null, { timeout: 15000 });
  return page;
}

/** Waits until `fn()` (in Node) is truthy. */
export async function until(what, fn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

export function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Runs `cases` one after another; exit code 1 if any failed. */
export async function run(cases) {
  let failed = 0;
  for (const [name, fn] of cases) {
    const started = Date.now();
    try {
      await fn();
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.stack || e}`);
    }
  }
  await finish(failed === 0 ? 0 : 1);
}

export async function finish(code) {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch {}
  }
  process.exit(code);
}
