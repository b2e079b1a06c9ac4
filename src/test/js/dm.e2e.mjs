// Private messages across nodes: alice (node 1) writes to bob (node 2) from the presence list; bob answers; alice's
// second page (node 2) shows both sides; a message to offline carol reaches her when she signs in.
//
// node dm.e2e.mjs NODE1_URL NODE2_URL OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { check, launch, openChat, type, waitForPresence, waitForText } from './lib/browser.mjs';

const [node1, node2, outDir] = process.argv.slice(2);
if (!node1 || !node2 || !outDir) {
  console.error('usage: node dm.e2e.mjs NODE1_URL NODE2_URL OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

/** Waits for a conversation with `peer` in the sidebar, opens it, and waits for `text` in it. */
async function openConversation(page, peer, text) {
  await page.waitForSelector(`#dm-list li[data-peer="${peer}"]`, { timeout: 10000 });
  await page.click(`#dm-list li[data-peer="${peer}"]`);
  await waitForText(page, text);
}

let step = 'start';
const browser = await launch();
const pages = {};
try {
  step = 'sign in on both nodes';
  pages.alice = await openChat(browser.context, node1, [node1, node2], 'alice');
  pages.bob = await openChat(browser.context, node2, [node2, node1], 'bob');
  pages.alice2 = await openChat(browser.context, node2, [node2, node1], 'alice');
  await waitForPresence(pages.alice, ['alice', 'bob']);

  // alice picks bob in the presence list and writes to him
  step = 'alice writes to bob';
  await pages.alice.click('#presence-list li[data-user="bob"]');
  await pages.alice.waitForSelector('#chat-title >> text=@bob');
  await type(pages.alice, 'Psst, bob: a private word from node 1');
  await waitForText(pages.alice, 'Psst, bob: a private word from node 1');
  step = 'bob sees the conversation with alice';
  await pages.bob.waitForSelector('#dm-list li[data-peer="alice"] .badge', { timeout: 10000 });
  await openConversation(pages.bob, 'alice', 'Psst, bob: a private word from node 1');
  step = 'bob answers';
  await type(pages.bob, 'Got it, alice. Only you can read this.');
  await waitForText(pages.alice, 'Got it, alice. Only you can read this.');
  console.log('private messages: alice -> bob and bob -> alice across nodes');

  step = "alice's other session";
  // alice's other session shows the whole conversation, what she sent included
  await openConversation(pages.alice2, 'bob', 'Psst, bob: a private word from node 1');
  await waitForText(pages.alice2, 'Got it, alice. Only you can read this.');
  const midsShown = await pages.alice2.$$eval('#messages .msg', items => items.map(li => li.dataset.mid));
  check(new Set(midsShown).size === midsShown.length, 'each private message shown once: ' + midsShown);
  console.log("private messages: the sender's other session shows both sides");

  step = 'offline carol';
  // carol is offline: the message waits in her mailbox
  await pages.alice.fill('#new-room', '@carol');
  await pages.alice.press('#new-room', 'Enter');
  await pages.alice.waitForSelector('#chat-title >> text=@carol');
  await type(pages.alice, 'Carol, read this when you are back');
  await waitForText(pages.alice, 'Carol, read this when you are back');
  pages.carol = await openChat(browser.context, node2, [node2, node1], 'carol');
  await openConversation(pages.carol, 'alice', 'Carol, read this when you are back');
  console.log('private messages: delivered from the mailbox after sign-in');

  await pages.bob.screenshot({ path: path.join(outDir, 'private.png') });
  console.log('RESULT private_messages=ok');
} catch (error) {
  console.error(`FAILED at "${step}": ${error.message}`);
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: path.join(outDir, `failure-dm-${name}.png`) }).catch(() => {});
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
