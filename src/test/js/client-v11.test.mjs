// parley.js against protocol 1.1 (epochs, reset, user streams, ack, history with `with`) over real WebSockets: a
// tiny real node in this process (lib/mini-parley.mjs) plays the server, because the Java node of this branch still
// speaks version 1. Also checks that the client sends nothing of 1.1 to a version 1 node.
// Run: node --experimental-websocket --test client-v11.test.mjs   (Node 22+: no flag; BrowserTest runs it too)
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startMiniParley, token } from './lib/mini-parley.mjs';

const require = createRequire(import.meta.url);
const Parley = require('../../main/resources/webroot/parley.js');

if (typeof WebSocket !== 'function') {
  throw new Error('no global WebSocket: run with node --experimental-websocket (Node 20) or Node 22+');
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function waitFor(condition, what, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await sleep(5);
  }
}

/** A connected client of `node` for `user`, recording what it emits. */
async function client(node, user, extra = {}) {
  const c = Parley.connect({
    urls: [node.url], transport: 'websocket', WebSocket, token: token(user), pingIntervalMs: 0,
    backoff: { minMs: 20, maxMs: 40 }, requestTimeoutMs: 2000, ...extra
  });
  c.seen = [];      // room messages: 'room:seq:text:source'
  c.texts = [];     // room message texts, in order
  c.dms = [];       // private messages: {seq, text, from, source}
  c.resets = [];
  c.recoveries = [];
  c.on('message', (m, info) => {
    c.seen.push(`${m.room}:${m.seq}:${m.body.text}:${info.source}`);
    c.texts.push(m.body.text);
  });
  c.on('private', (m, info) => c.dms.push({ seq: m.seq, text: m.body.text, from: m.from, source: info.source }));
  c.on('reset', r => c.resets.push(r));
  c.on('recovery', r => c.recoveries.push(r));
  await c.whenConnected();
  return c;
}

const reconnected = async c => {
  await waitFor(() => c.state !== 'connected', 'the loss of the link');
  await c.whenConnected();
};

test('rooms across a restart of a 1.1 node: the new epoch is adopted, its messages are caught up, none dropped',
  async () => {
    const node = await startMiniParley();
    const alice = await client(node, 'alice');
    await alice.join('lobby', { history: 50 });
    for (let i = 1; i <= 5; i++) node.publish('lobby', 'bob', { text: 'old ' + i });
    await waitFor(() => alice.texts.length === 5, 'the first five');
    const before = alice.position('lobby');
    assert.equal(before.seq, 5);
    assert.match(before.epoch, /^ep/);

    node.restart(); // memory lost: every stream starts again, in a new epoch
    node.publish('lobby', 'bob', { text: 'new 1, before alice is back' });
    node.publish('lobby', 'bob', { text: 'new 2, before alice is back' });
    // a message right behind the join's ok, in the same read: handled after the ok's state, before its callbacks
    node.afterReply('join', () => node.publish('lobby', 'bob', { text: 'right behind the ok' }));
    await reconnected(alice);

    const rejoin = node.received('join').pop();
    assert.equal(rejoin.since, 5);
    assert.equal(rejoin.epoch, before.epoch, 're-joins with since + the epoch it belongs to');
    assert.deepEqual(alice.resets.map(r => [r.room, r.reason, r.previousSeq, r.seq]), [['lobby', 'epoch', 5, 2]]);
    assert.notEqual(alice.resets[0].epoch, before.epoch);
    assert.deepEqual(alice.recoveries.map(r => [r.recovered, r.reset, r.count]), [[false, true, 2]]);

    const published = await alice.publish('lobby', { text: 'alice after the restart' });
    assert.equal(published.seq, 4);
    node.publish('lobby', 'bob', { text: 'bob after the restart' });
    await waitFor(() => alice.texts.length === 10, 'the messages of the new run');
    assert.deepEqual(alice.seen.slice(5), [
      'lobby:1:new 1, before alice is back:recovered',
      'lobby:2:new 2, before alice is back:recovered',
      'lobby:3:right behind the ok:live',
      'lobby:4:alice after the restart:live',
      'lobby:5:bob after the restart:live'
    ]);
    assert.deepEqual(alice.position('lobby'), { seq: 5, epoch: node.room('lobby').epoch });
    assert.equal(node.protocolErrors(), 0);
    alice.close();
    await node.close();
  });

test('a version 1 node that restarted: the seq going backwards is a reset; no 1.1 request is ever sent', async () => {
  const node = await startMiniParley({ v1: true });
  const alice = await client(node, 'alice');
  assert.equal(alice.protocol, '1');
  await alice.join('lobby', { history: 50 });
  for (let i = 1; i <= 5; i++) node.publish('lobby', 'bob', { text: 'old ' + i });
  await waitFor(() => alice.texts.length === 5, 'the first five');

  node.restart({ code: 1001 });
  node.publish('lobby', 'bob', { text: 'new 1' });
  await reconnected(alice);
  assert.deepEqual(alice.resets.map(r => [r.reason, r.previousSeq, r.seq, r.epoch]), [['restart', 5, 1, null]]);
  node.publish('lobby', 'bob', { text: 'new 2' });
  await waitFor(() => alice.texts.length === 7, 'the new run');
  assert.deepEqual(alice.texts.slice(5), ['new 1', 'new 2']);
  assert.equal(node.received('join').pop().epoch, undefined, 'no epoch to send');

  // private messages from a version 1 node: no seq, no ack; a conversation is refused locally
  const bob = await client(node, 'bob');
  await bob.send('alice', { text: 'hi' });
  await bob.send('alice', { text: 'again' });
  await waitFor(() => alice.dms.length === 2, 'the private messages');
  await assert.rejects(alice.conversation('bob'), e => e.code === 'unsupported');
  await sleep(300);
  assert.equal(node.received('ack').length, 0, 'a version 1 node would count ack as a protocol error');
  assert.equal(node.received('history').filter(f => f.with !== undefined).length, 0);
  assert.equal(node.received('auth').filter(f => f.since !== undefined).length, 0);
  assert.equal(node.protocolErrors(), 0);
  alice.close();
  bob.close();
  await node.close();
});

test('a reset frame: adopt epoch and seq, catch up with the new run, each message once even when it raced ahead',
  async () => {
    const node = await startMiniParley();
    const alice = await client(node, 'alice');
    await alice.join('lobby');
    node.publish('lobby', 'bob', { text: 'before' });
    await waitFor(() => alice.texts.length === 1, 'the first');

    // two messages of the new run reach alice before `reset`: seq 1 (at or below her position, so she drops it at
    // first) and seq 2 (above it, emitted at once); the catch-up shows seq 1 and not seq 2 again
    node.resetRoom('lobby', { before: [['bob', { text: 'raced 1' }], ['bob', { text: 'raced 2' }]] });
    await waitFor(() => alice.resets.length === 1, 'the reset event');
    node.publish('lobby', 'bob', { text: 'after the reset' });
    await waitFor(() => alice.texts.length === 4, 'every message');
    await sleep(50);
    assert.deepEqual(alice.texts, ['before', 'raced 2', 'raced 1', 'after the reset']);
    assert.deepEqual(alice.resets.map(r => [r.room, r.reason, r.previousSeq, r.seq]), [['lobby', 'reset', 2, 2]]);
    assert.deepEqual(alice.position('lobby'), { seq: 3, epoch: node.room('lobby').epoch });

    // an ordinary reset (nothing raced): new messages from seq 1 of the next run are not dropped
    node.resetRoom('lobby');
    await waitFor(() => alice.resets.length === 2, 'the second reset');
    node.publish('lobby', 'bob', { text: 'next run 1' });
    await waitFor(() => alice.texts.length === 5, 'the next run');
    assert.equal(alice.seen[4], 'lobby:1:next run 1:live');
    assert.equal(node.protocolErrors(), 0);
    alice.close();
    await node.close();
  });

test('user stream: in order, once, acked in batches; a reconnect asks with since + epoch, a fresh client what is owed',
  async () => {
    const node = await startMiniParley();
    const alice = await client(node, 'alice');
    const bob = await client(node, 'bob');
    assert.equal(alice.protocol, '1.1');
    assert.deepEqual(alice.userStream(), { seq: null, epoch: node.stream('alice').epoch, acked: null });

    for (let i = 1; i <= 3; i++) await bob.send('alice', { text: 'dm ' + i });
    await waitFor(() => alice.dms.length === 3, 'three private messages');
    await waitFor(() => node.received('ack').some(a => a.$user === 'alice' && a.seq === 3), 'the ack', 1000);
    assert.equal(node.received('ack').filter(a => a.$user === 'alice').length, 1, 'one ack for the three');
    assert.ok(node.received('ack').every(a => a.id === undefined), 'acks carry no id');

    const burst = [];
    for (let i = 4; i <= 123; i++) burst.push(bob.send('alice', { text: 'dm ' + i }));
    await Promise.all(burst);
    await waitFor(() => alice.dms.length === 123, 'the burst');
    await waitFor(() => node.stream('alice').acked === 123, 'everything acknowledged', 1000);
    const acks = node.received('ack').filter(a => a.$user === 'alice');
    assert.ok(acks.length >= 3 && acks.length <= 6, 'batched (every 50, or after 200 ms): ' + acks.length);
    assert.deepEqual(alice.dms.map(d => d.seq), Array.from({ length: 123 }, (_, i) => i + 1));

    // the link drops; what bob sends meanwhile comes after an auth with since + epoch, once
    node.sessions().filter(s => s.user === 'alice').forEach(s => s.socket.destroy());
    await bob.send('alice', { text: 'while away 1' });
    await bob.send('alice', { text: 'while away 2' });
    await reconnected(alice);
    const auth = node.received('auth').filter(a => a.$user === 'alice').pop();
    assert.equal(auth.since, 123);
    assert.equal(auth.epoch, node.stream('alice').epoch);
    await waitFor(() => alice.dms.length === 125, 'the messages missed');
    assert.deepEqual(alice.dms.slice(123).map(d => [d.seq, d.text, d.source]),
      [[124, 'while away 1', 'recovered'], [125, 'while away 2', 'recovered']]);

    // a fresh client (a reloaded page): auth without since; nothing is owed once acknowledged
    await waitFor(() => node.stream('alice').acked === 125, 'acked');
    const page2 = await client(node, 'alice');
    assert.equal(node.received('auth').pop().since, undefined);
    await sleep(100);
    assert.equal(page2.dms.length, 0);

    // carol is offline: a fresh client gets what is owed, in order, and acknowledges it
    await bob.send('carol', { text: 'for carol 1' });
    await bob.send('carol', { text: 'for carol 2' });
    const carol = await client(node, 'carol');
    await waitFor(() => carol.dms.length === 2, 'owed messages');
    assert.deepEqual(carol.dms.map(d => d.text), ['for carol 1', 'for carol 2']);
    await waitFor(() => node.stream('carol').acked === 2, "carol's ack");

    assert.equal(node.protocolErrors(), 0);
    [alice, bob, page2, carol].forEach(c => c.close());
    await node.close();
  });

test("user stream: a message ahead of this session's own send waits for its ok; a gap with nothing in flight does not",
  async () => {
    const node = await startMiniParley();
    const alice = await client(node, 'alice', { streamGapMs: 300 });
    const bob = await client(node, 'bob');
    await bob.send('alice', { text: 'first' });
    await waitFor(() => alice.dms.length === 1, 'the first');

    // alice's own send is seq 2 of her stream; its ok is slow; bob's answer (seq 3) waits for it
    node.holdReplies('alice', 'send');
    const own = alice.send('bob', { text: 'mine' });
    await waitFor(() => node.stream('alice').seq === 2, 'her send stored');
    await bob.send('alice', { text: 'answer' });
    await sleep(100);
    assert.equal(alice.dms.length, 1, 'seq 3 waits for seq 2');
    node.release('alice', 'send');
    assert.equal((await own).seq, 2);
    await waitFor(() => alice.dms.length === 2, 'the answer');
    assert.deepEqual(alice.dms.map(d => [d.seq, d.text]), [[1, 'first'], [3, 'answer']]);
    await waitFor(() => alice.userStream().acked === 3, 'acked to 3');

    // an ok that does not come within streamGapMs: what waits for it is delivered anyway
    node.holdReplies('alice', 'send');
    const slow = alice.send('bob', { text: 'slow' });
    await waitFor(() => node.stream('alice').seq === 4, 'stored');
    await bob.send('alice', { text: 'answer 2' });
    await waitFor(() => alice.dms.length === 3, 'delivered after streamGapMs', 2000);
    node.release('alice', 'send');
    await slow;
    // a duplicate (same seq, same mid): dropped; a gap nothing can fill (no send in flight): delivered at once
    node.pushTo('alice', node.stream('alice').messages[4]);
    node.pushTo('alice', { type: 'message', to: 'alice', from: 'bob', mid: 'gap', seq: 7, body: { text: 'after a gap' },
      ts: Date.now() });
    await waitFor(() => alice.dms.length === 4, 'the message after the gap');
    await sleep(50);
    assert.deepEqual(alice.dms.map(d => d.text), ['first', 'answer', 'answer 2', 'after a gap']);
    assert.equal(alice.userStream().seq, 7);
    assert.equal(node.protocolErrors(), 0);
    alice.close();
    bob.close();
    await node.close();
  });

test('user stream reset (frame, and a restart found by auth); conversation() reads history with `with`', async () => {
  const node = await startMiniParley();
  const alice = await client(node, 'alice');
  const bob = await client(node, 'bob');
  await bob.send('alice', { text: 'one' });
  await alice.send('bob', { text: 'two' });
  await bob.send('alice', { text: 'three' });
  await waitFor(() => alice.dms.length === 2, 'two received');

  const talk = await alice.conversation('bob', { limit: 10 });
  assert.equal(talk.with, 'bob');
  assert.equal(talk.epoch, node.stream('alice').epoch);
  assert.deepEqual(talk.messages.map(m => [m.seq, m.from, m.body.text]),
    [[1, 'bob', 'one'], [2, 'alice', 'two'], [3, 'bob', 'three']]);

  node.resetUser('alice');
  await waitFor(() => alice.resets.length === 1, 'the reset event');
  assert.deepEqual(alice.resets.map(r => [r.user, r.reason, r.previousSeq, r.seq]), [['alice', 'reset', 3, 0]]);
  await bob.send('alice', { text: 'new run 1' });
  await waitFor(() => alice.dms.length === 3, 'seq 1 of the new run, below the old position');
  assert.deepEqual(alice.userStream(), { seq: 1, epoch: node.stream('alice').epoch, acked: alice.userStream().acked });

  // the node forgets everything; alice's auth with since + epoch gets recovered:false: a reset, then a fresh start
  node.restart();
  await reconnected(alice);
  const auth = node.received('auth').filter(a => a.$user === 'alice').pop();
  assert.equal(auth.since, 1);
  assert.deepEqual(alice.resets.slice(1).map(r => [r.user, r.reason, r.previousSeq]), [['alice', 'epoch', 1]]);
  await bob.whenConnected();
  await bob.send('alice', { text: 'after the restart' });
  await waitFor(() => alice.dms.length === 4, 'the first of the newest run');
  assert.equal(alice.dms[3].text, 'after the restart');
  assert.deepEqual(alice.userStream().seq, 1);
  assert.equal(node.protocolErrors(), 0);
  alice.close();
  bob.close();
  await node.close();
});
