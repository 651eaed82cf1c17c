// The chat demo (examples/chat/web on examples/chat's node) in Chromium:
// two people chat in the lobby, one's connection drops while the other
// writes, nothing is lost; a screenshot of it goes to the build tree
// (docs/chat-demo.png is a copy).

import { join } from "node:path";
import { startNode, openPage, tempDir, until, same, check, run, root, chatBin } from "./harness.mjs";

const shots = process.env.TETHER_SCREENSHOT_DIR || tempDir();
const node = await startNode(
  ["--listen", "127.0.0.1:0", "--store", "none", "--data-dir", tempDir(), "--static", join(root, "examples", "chat", "web"), "--log-level", "warning"],
  { bin: chatBin },
);

const enter = async (name) => {
  const page = await openPage(node.http + "/", { waitFor: "document.getElementById('name') !== null" });
  await page.fill("#name", name);
  await page.click("#login button");
  await page.waitForSelector("#status[data-state=connected]");
  await page.waitForFunction(() => document.querySelector("#rooms li.active")?.textContent === "Lobby");
  return page;
};
const say = async (page, text) => {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
};
const texts = (page) => page.$$eval("#messages li:not(.system)", (l) => l.map((li) => li.textContent));

await run([
  [
    "the chat demo: rooms presence messages and a dropped connection",
    async () => {
      const ada = await enter("Ada");
      const bob = await enter("Bob");
      const members = () => ada.$$eval("#members li", (l) => l.map((li) => li.textContent).join("|"));
      await until("both members listed", async () => (await members()) === "Ada (you)|Bob");
      await say(ada, "Hello Bob! Is the session resumable?");
      await until("Bob reads Ada", async () => (await texts(bob)).length === 1);
      // Bob's connection drops; Ada writes meanwhile; Bob gets it all.
      await bob.click("#drop");
      await say(ada, "Written while your connection was down.");
      await say(bob, "Yes: I dropped and missed nothing.");
      await until("Bob back", () => bob.$("#status[data-state=connected]"));
      const want = ["AdaHello Bob! Is the session resumable?", "AdaWritten while your connection was down.", "BobYes: I dropped and missed nothing."];
      await until("all three at Ada", async () => (await texts(ada)).length === 3);
      await until("all three at Bob", async () => (await texts(bob)).length === 3);
      same(await texts(ada), want, "Ada's messages");
      same(await texts(bob), want, "Bob's messages");
      check(/resumed/.test(await bob.textContent("#status")), "Bob's status says resumed");
      check((await ada.$$("#messages li.system")).length >= 1, "the lobby's own messages are shown");
      await ada.screenshot({ path: join(shots, "chat-demo.png") });
      console.log(`screenshot: ${join(shots, "chat-demo.png")}`);
    },
  ],
]);
