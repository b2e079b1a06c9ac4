// The demo page on protocol 1.1, in Chromium, across a crash of its node: a private conversation comes back from
// history after a reload; then the node is killed (kill -9) and started again on the same port, and the pages go on.
// Bob is back first and writes, in the lobby and to alice, while alice is still away (her page gets no token until
// then); every message sent or received before and after the crash is shown once on both pages.
//
// node restart.e2e.mjs OUT_DIR NODE_URL durable|memory
//   Prints `PARLEY-RESTART-CLUSTER` when the driver (BrowserTest) must kill -9 the node and start it again on the
//   same port (and store folder), and a `RESULT` line.
//   durable: a node with a store. Nothing is lost: no reset, the missed messages recovered; after a reload the lobby
//     and the conversation come back whole from the store.
//   memory: a node without one. Its streams start over in new epochs: each page says the lobby's history was lost,
//     and goes on showing every new message (none silently dropped) besides the ones it already showed.
import fs from 'node:fs';
import path from 'node:path';
import { check, launch, messages, openChat, type, waitForPresence, waitForText } from './lib/browser.mjs';

const [outDir, node, kind] = process.argv.slice(2);
if (!outDir || !node || !['durable', 'memory'].includes(kind)) {
  console.error('usage: node restart.e2e.mjs OUT_DIR NODE_URL durable|memory');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const durable = kind === 'durable';

/** Waits for the page to lose its link after the restart mark and to be connected again. */
async function reconnects(page, timeout = 60000) {
  await page.waitForFunction(() => parleyDemo.events.some(e => e.type === 'state' && e.state !== 'connected'
    && e.t > window.restartMark), null, { timeout: 20000 });
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

/** Opens the conversation with `peer` from the page's list of conversations. */
async function openConversation(page, peer) {
  await page.waitForSelector(`#dm-list li[data-peer="${peer}"]`, { timeout: 10000 });
  await page.click(`#dm-list li[data-peer="${peer}"]`);
}

/** Events of the page since the restart mark. */
const eventsSinceRestart = (page, type) => page.evaluate(t => parleyDemo.events
  .filter(e => e.type === t && e.t > window.restartMark), type);

/** The node's count of `bad_request` errors since it (re)started (GET /metrics). */
async function badRequests() {
  const text = await (await fetch(node + '/metrics')).text();
  const line = text.split('\n').find(l => l.startsWith('parley_errors_total{code="bad_request"}'));
  return line ? Number(line.split(' ').pop()) : NaN;
}

let step = 'sign in';
const browser = await launch();
const pages = {};
try {
  // alice on SockJS (the page's default), bob on plain WebSocket, retrying every 50 to 500 ms once the node is gone
  pages.alice = await openChat(browser.context, node, [node], 'alice');
  pages.bob = await openChat(browser.context, node, [node], 'bob', '&transport=websocket&backoffMin=100&backoffMax=500');
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

  step = 'bob reloads: the conversation comes back from history';
  await pages.bob.waitForTimeout(400); // bob's page acknowledged what it showed: nothing is owed any more
  await pages.bob.reload();
  await pages.bob.waitForSelector('#conn[data-state="connected"]', { timeout: 15000 });
  await openConversation(pages.bob, 'alice');
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
  check(await badRequests() === 0, 'no malformed request before the restart');

  step = 'the node is killed';
  // alice's page gets no token until bob has written: her token requests wait here (then go on to the node)
  let releaseTokens;
  const tokensReleased = new Promise(resolve => { releaseTokens = resolve; });
  await pages.alice.route('**/dev/token', route => tokensReleased.then(() => route.continue()));
  await pages.alice.evaluate(() => { parleyDemo.token = null; }); // her next connection asks for a token
  for (const page of Object.values(pages)) await page.evaluate(() => { window.restartMark = performance.now(); });
  console.log('PARLEY-RESTART-CLUSTER');
  await pages.alice.waitForFunction(() => parleyDemo.client.state !== 'connected', null, { timeout: 20000 });
  step = 'the node is back: bob reconnects';
  await reconnects(pages.bob);
  step = 'bob writes while alice is away';
  check(await pages.alice.evaluate(() => parleyDemo.client.state) !== 'connected', 'alice is still away');
  await type(pages.bob, 'Bob, right after the restart');
  await waitForText(pages.bob, 'Bob, right after the restart');
  await openConversation(pages.bob, 'alice');
  await type(pages.bob, 'Bob, privately, while you were away');
  await waitForText(pages.bob, 'Bob, privately, while you were away');
  await pages.bob.click('#room-list li[data-room="lobby"]');

  step = 'alice is back';
  releaseTokens();
  await reconnects(pages.alice);
  await pages.alice.unroute('**/dev/token');
  await waitForText(pages.alice, 'Bob, right after the restart');
  await type(pages.alice, 'Alice, after the restart');
  await waitForText(pages.bob, 'Alice, after the restart');
  await waitForText(pages.alice, 'Alice, after the restart');
  await type(pages.bob, 'Bob again');
  await waitForText(pages.alice, 'Bob again');
  const after = ['Bob, right after the restart', 'Alice, after the restart', 'Bob again'];
  const lobby = [...before, ...after];
  await shownOnce(pages.alice, lobby);
  await shownOnce(pages.bob, lobby);

  const resets = { alice: await eventsSinceRestart(pages.alice, 'reset'),
    bob: await eventsSinceRestart(pages.bob, 'reset') };
  const recoveries = await eventsSinceRestart(pages.alice, 'recovery');
  if (durable) {
    check(resets.alice.length === 0 && resets.bob.length === 0, 'no stream lost: ' + JSON.stringify(resets));
    check(recoveries.length === 1 && recoveries[0].recovered && recoveries[0].count === 1,
      "alice recovered bob's message: " + JSON.stringify(recoveries));
    await pages.alice.waitForSelector('#messages .notice >> text=1 missed message recovered', { timeout: 5000 });
    check(await pages.alice.$('#messages .notice >> text=lost the history') === null, 'no reset notice');
  } else {
    for (const [name, page] of Object.entries(pages)) {
      await page.waitForSelector('#messages .notice >> text=lost the history of #lobby', { timeout: 5000 });
      const rooms = resets[name].filter(e => e.room);
      check(rooms.length === 1 && rooms[0].room === 'lobby' && rooms[0].previousSeq === 3,
        `${name}: one reset of the lobby: ${JSON.stringify(resets[name])}`);
    }
    // alice's page held a position in her user stream (bob's, reloaded, had none: it just starts in the new run)
    check(resets.alice.some(e => e.user === 'alice' && e.reason === 'epoch'), "alice's user stream was reset too: "
      + JSON.stringify(resets.alice));
    check(recoveries.length === 1 && recoveries[0].reset && recoveries[0].count === 1,
      "alice caught up with bob's message of the new run: " + JSON.stringify(recoveries));
  }
  console.log(`lobby: goes on across the restart (${durable ? 'nothing lost' : 'history lost, said so'})`);

  step = 'private messages after the restart';
  await pages.alice.waitForSelector('#dm-list li[data-peer="bob"] .badge', { timeout: 10000 });
  await openConversation(pages.alice, 'bob');
  await waitForText(pages.alice, 'Bob, privately, while you were away');
  await type(pages.alice, 'Still there, bob?');
  await pages.bob.waitForSelector('#dm-list li[data-peer="alice"] .badge', { timeout: 10000 });
  await openConversation(pages.bob, 'alice');
  await waitForText(pages.bob, 'Still there, bob?');
  const conversation = ['Bob, this stays between us', 'It does, alice', 'Bob, privately, while you were away',
    'Still there, bob?'];
  await shownOnce(pages.bob, conversation);
  await shownOnce(pages.alice, conversation);
  check(await badRequests() === 0, 'no malformed request after the restart');

  await pages.alice.click('#room-list li[data-room="lobby"]');
  await pages.alice.screenshot({ path: path.join(outDir, `restart-${kind}.png`) });

  if (durable) {
    step = 'bob reloads after the restart: the lobby and the conversation come back whole from the store';
    await pages.bob.reload();
    await pages.bob.waitForSelector('#conn[data-state="connected"]', { timeout: 15000 });
    for (const text of lobby) await waitForText(pages.bob, text);
    await shownOnce(pages.bob, lobby);
    await pages.bob.screenshot({ path: path.join(outDir, 'restart-durable-reload-lobby.png') });
    await openConversation(pages.bob, 'alice');
    for (const text of conversation) await waitForText(pages.bob, text);
    await shownOnce(pages.bob, conversation);
    await pages.bob.screenshot({ path: path.join(outDir, 'restart-durable-reload-private.png') });
    console.log('after a reload: the lobby and the conversation back whole from the store');
  }
  console.log(`RESULT restart=ok store=${kind} lobby=${lobby.length} private=${conversation.length}`);
} catch (error) {
  console.error(`FAILED at "${step}": ${error.message}`);
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: path.join(outDir, `failure-restart-${kind}-${name}.png`) }).catch(() => {});
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
