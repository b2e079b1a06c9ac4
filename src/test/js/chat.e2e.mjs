// Two pages on two nodes of a real cluster: messages and presence cross nodes; then the node of one page is closed
// and that page reconnects to the other node and shows what was published meanwhile, each message once.
//
// node chat.e2e.mjs NODE1_URL NODE2_URL OUT_DIR
// Prints `PARLEY-CLOSE-NODE 0` when the driver (BrowserTest) must close the first node, and a `RESULT` line.
import fs from 'node:fs';
import path from 'node:path';
import { check, launch, messages, openChat, type, waitForPresence, waitForText } from './lib/browser.mjs';

const [node1, node2, outDir] = process.argv.slice(2);
if (!node1 || !node2 || !outDir) {
  console.error('usage: node chat.e2e.mjs NODE1_URL NODE2_URL OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const AWAY = 12; // messages bob publishes from the moment alice's node is gone

let step = 'sign in on both nodes';
const browser = await launch();
let alice;
let bob;
try {
  // alice's client lists node1 first, bob's node2 first. alice waits 1 to 2 s before her first retry (backoffMin=2000,
  // default 250): long enough for bob to publish while she is away, whatever the speed of the machine.
  alice = await openChat(browser.context, node1, [node1, node2], 'alice', '&backoffMin=2000');
  // bob's page uses plain WebSocket, alice's SockJS (the default): both transports, in a real browser
  bob = await openChat(browser.context, node2, [node2, node1], 'bob', '&transport=websocket');
  check(await alice.evaluate(() => parleyDemo.client.url) === node1, 'alice is on node 1');
  check(await bob.evaluate(() => parleyDemo.client.url) === node2, 'bob is on node 2');
  check(await alice.evaluate(() => typeof window.SockJS === 'function'), 'alice loaded the vendored sockjs-client');
  check(await bob.evaluate(() => typeof window.SockJS === 'undefined'), 'bob did not need sockjs-client');
  check(await alice.evaluate(async () => {
    const module = await import('/parley.mjs');
    return module.default === window.Parley && module.connect === window.Parley.connect;
  }), '/parley.mjs exports the same client as an ES module');

  step = 'presence of both on both pages';
  await waitForPresence(alice, ['alice', 'bob']);
  await waitForPresence(bob, ['alice', 'bob']);
  console.log('presence: both pages list alice and bob');

  step = 'messages across nodes';
  await type(alice, 'Hello from alice on node 1');
  await waitForText(bob, 'Hello from alice on node 1');
  await type(bob, 'Hi alice, bob here on node 2. Shall we test a reconnect?');
  await waitForText(alice, 'Hi alice, bob here on node 2. Shall we test a reconnect?');
  console.log('messages: typed on one node, shown on the other');

  // --- the node alice is connected to goes away -------------------------------------------------------------------
  step = 'alice notices the loss of her node';
  const eventsBefore = await alice.evaluate(() => parleyDemo.events.length);
  console.log('PARLEY-CLOSE-NODE 0');
  await alice.waitForFunction(() => parleyDemo.client.state !== 'connected', null, { timeout: 20000 });
  step = 'bob publishes while alice is away';
  const away = [];
  for (let i = 1; i <= AWAY; i++) {
    const text = `While you were away #${i}`;
    away.push(text);
    await type(bob, text);
  }
  for (const text of away) await waitForText(bob, text, 20000);
  step = 'alice reconnects and shows every message once';
  await alice.waitForSelector('#conn[data-state="connected"]', { timeout: 30000 });
  for (const text of away) await waitForText(alice, text, 20000);
  await waitForPresence(alice, ['alice', 'bob']);
  await waitForPresence(bob, ['alice', 'bob']);

  const shown = await messages(alice);
  const seqs = shown.map(m => m.seq);
  check(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]), 'alice shows each seq once, in order: ' + seqs);
  for (const text of away) {
    check(shown.filter(m => m.text === text).length === 1, `"${text}" shown exactly once`);
  }
  check(await alice.evaluate(() => parleyDemo.client.url) === node2, 'alice is now on node 2');

  const events = (await alice.evaluate(() => parleyDemo.events)).slice(eventsBefore);
  const lost = events.find(e => e.type === 'state' && e.state !== 'connected');
  const back = events.find(e => e.type === 'state' && e.state === 'connected' && e.t > lost.t);
  const dialed = events.filter(e => e.type === 'state' && e.state === 'reconnecting' && e.dial && e.t < back.t).pop();
  const recovered = events.filter(e => e.type === 'recovery').reduce((n, e) => n + e.count, 0);
  const complete = events.filter(e => e.type === 'recovery').every(e => e.recovered);
  check(complete, 'recovery reported complete');
  check(recovered > 0, 'some messages were recovered (not all arrived live)');
  await alice.waitForSelector('#messages .notice >> text=missed message', { timeout: 5000 });

  await alice.screenshot({ path: path.join(outDir, 'chat.png') });
  await bob.setViewportSize({ width: 375, height: 740 });
  await bob.screenshot({ path: path.join(outDir, 'chat-375.png') });
  console.log(`RESULT reconnect_ms=${Math.round(back.t - lost.t)} handshake_ms=${Math.round(back.t - dialed.t)} `
    + `recovered=${recovered} `
    + `published_while_away=${AWAY} live_after_reconnect=${AWAY - recovered} `
    + `duplicates=0 node_before=${node1} node_after=${node2}`);
} catch (error) {
  console.error(`FAILED at "${step}": ${error.message}`);
  if (alice) await alice.screenshot({ path: path.join(outDir, 'failure-alice.png') }).catch(() => {});
  if (bob) await bob.screenshot({ path: path.join(outDir, 'failure-bob.png') }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
