// The demo page on protocol 1.1, in Chromium: a private conversation comes back from history after a reload; then
// the node restarts and loses every stream it held in memory, and the lobby goes on: what bob writes before alice
// is back, and everything after, is shown once on both pages, with a notice that older messages may be missing.
//
// node restart.e2e.mjs OUT_DIR
//   against the mini 1.1 node of lib/mini-parley.mjs, started here (BrowserTest runs it so, while the Java node of
//   this branch speaks version 1).
// node restart.e2e.mjs OUT_DIR NODE1_URL NODE2_URL
//   against a real cluster that speaks 1.1: the script prints `PARLEY-RESTART-CLUSTER` when the driver must stop
//   every node and start them again at the same URLs, without a store (so that the rooms' history is lost).
import fs from 'node:fs';
import path from 'node:path';
import { check, launch, messages, openChat, type, waitForPresence, waitForText } from './lib/browser.mjs';
import { startMiniParley } from './lib/mini-parley.mjs';

const [outDir, url1, url2] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node restart.e2e.mjs OUT_DIR [NODE1_URL NODE2_URL]');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const mini = url1 ? null : await startMiniParley();
const node1 = url1 || mini.url;
const node2 = url2 || mini.url;
const nodes = [...new Set([node1, node2])];
const transport = mini ? '&transport=websocket' : ''; // the mini node has no SockJS endpoint

/** Waits for the page to lose its link and to be connected again. */
async function reconnects(page, timeout = 30000) {
  await page.waitForFunction(() => parleyDemo.events.some(e => e.type === 'state' && e.state !== 'connected'
    && e.t > window.restartMark), null, { timeout });
  await page.waitForFunction(() => parleyDemo.client.state === 'connected', null, { timeout });
}

/** The texts shown once each, and only once. */
async function shownOnce(page, texts) {
  const shown = (await messages(page)).map(m => m.text);
  for (const text of texts) {
    const n = shown.filter(t => t === text).length;
    check(n === 1, `"${text}" shown once (${n} times): ${JSON.stringify(shown)}`);
  }
}

let step = 'sign in';
const browser = await launch();
const pages = {};
try {
  // alice waits 1 to 2 s before her first retry: bob is back first and writes while she is away
  pages.alice = await openChat(browser.context, node1, nodes, 'alice', '&backoffMin=2000' + transport);
  pages.bob = await openChat(browser.context, node2, [...nodes].reverse(), 'bob', transport);
  check(await pages.alice.evaluate(() => parleyDemo.client.protocol) === '1.1', 'the node speaks 1.1');
  await waitForPresence(pages.alice, ['alice', 'bob']);

  step = 'a private conversation';
  await pages.alice.click('#presence-list li[data-user="bob"]');
  await type(pages.alice, 'Bob, this stays between us');
  await pages.bob.waitForSelector('#dm-list li[data-peer="alice"]', { timeout: 10000 });
  await pages.bob.click('#dm-list li[data-peer="alice"]');
  await waitForText(pages.bob, 'Bob, this stays between us');
  await type(pages.bob, 'It does, alice');
  await waitForText(pages.alice, 'It does, alice');

  step = "bob reloads: the conversation comes back from history";
  await pages.bob.waitForTimeout(400); // bob's page acknowledged what it showed: nothing is owed any more
  await pages.bob.reload();
  await pages.bob.waitForSelector('#conn[data-state="connected"]', { timeout: 15000 });
  await pages.bob.waitForSelector('#dm-list li[data-peer="alice"]', { timeout: 10000 });
  await pages.bob.click('#dm-list li[data-peer="alice"]');
  await waitForText(pages.bob, 'Bob, this stays between us');
  await waitForText(pages.bob, 'It does, alice');
  await shownOnce(pages.bob, ['Bob, this stays between us', 'It does, alice']);
  const loaded = await pages.bob.evaluate(() => parleyDemo.events.filter(e => e.type === 'conversation'));
  check(loaded.some(e => e.peer === 'alice' && e.count === 2), 'read from history: ' + JSON.stringify(loaded));
  console.log('private conversation: back from history after a reload');

  step = 'the lobby before the restart';
  await pages.bob.click('#room-list li[data-room="lobby"]');
  await pages.alice.click('#room-list li[data-room="lobby"]');
  const before = ['Lobby, before the restart 1', 'Lobby, before the restart 2', 'Lobby, before the restart 3'];
  for (const text of before) await type(pages.alice, text);
  for (const text of before) await waitForText(pages.bob, text);

  step = 'the node restarts and forgets';
  for (const page of Object.values(pages)) await page.evaluate(() => { window.restartMark = performance.now(); });
  if (mini) mini.restart(); else console.log('PARLEY-RESTART-CLUSTER');
  await reconnects(pages.bob);
  step = 'bob writes before alice is back';
  const aliceAway = await pages.alice.evaluate(() => parleyDemo.client.state !== 'connected');
  await type(pages.bob, 'Bob, right after the restart');
  await waitForText(pages.bob, 'Bob, right after the restart');
  step = 'alice is back';
  await reconnects(pages.alice);
  await waitForText(pages.alice, 'Bob, right after the restart');
  await type(pages.alice, 'Alice, after the restart');
  await waitForText(pages.bob, 'Alice, after the restart');
  await waitForText(pages.alice, 'Alice, after the restart');
  await type(pages.bob, 'Bob again');
  await waitForText(pages.alice, 'Bob again');
  const all = [...before, 'Bob, right after the restart', 'Alice, after the restart', 'Bob again'];
  await shownOnce(pages.alice, all);
  await shownOnce(pages.bob, all);
  for (const page of Object.values(pages)) {
    await page.waitForSelector('#messages .notice >> text=lost the history of #lobby', { timeout: 5000 });
  }
  const resets = await pages.alice.evaluate(() => parleyDemo.events.filter(e => e.type === 'reset' && e.room));
  check(resets.length === 1 && resets[0].previousSeq === 3, 'one reset of the lobby: ' + JSON.stringify(resets));
  console.log(`lobby: goes on across the restart (alice ${aliceAway ? 'still away' : 'back already'} when bob wrote)`);

  step = 'private messages after the restart';
  await pages.alice.click('#dm-list li[data-peer="bob"]');
  await type(pages.alice, 'Still there, bob?');
  await pages.bob.waitForSelector('#dm-list li[data-peer="alice"] .badge', { timeout: 10000 });
  await pages.bob.click('#dm-list li[data-peer="alice"]');
  await waitForText(pages.bob, 'Still there, bob?');
  await shownOnce(pages.bob, ['Bob, this stays between us', 'It does, alice', 'Still there, bob?']);
  if (mini) check(mini.protocolErrors() === 0, 'no protocol error: ' + mini.protocolErrors());

  await pages.alice.click('#room-list li[data-room="lobby"]');
  await pages.alice.screenshot({ path: path.join(outDir, 'restart.png') });
  console.log(`RESULT restart=ok aliceAway=${aliceAway} server=${mini ? 'mini-1.1' : 'cluster'}`);
} catch (error) {
  console.error(`FAILED at "${step}": ${error.message}`);
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: path.join(outDir, `failure-restart-${name}.png`) }).catch(() => {});
  }
  process.exitCode = 1;
} finally {
  await browser.close();
  if (mini) await mini.close();
}
