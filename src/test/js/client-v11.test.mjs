// parley.js against protocol 1.1 (epochs, user streams, ack, history with `with`) over real WebSockets, against real
// parley nodes that BrowserTest runs as processes: one that keeps its streams in memory only and one with the
// embedded store. When a case needs a node to crash it prints `PARLEY-RESTART-NODE <url>`: the driver kills that
// node (kill -9) and starts it again on the same port (and store folder); the clients reconnect by themselves.
//
// node client-v11.test.mjs MEMORY_NODE_URL DURABLE_NODE_URL   (Node 20: add --experimental-websocket)
//
// Not covered here, because only an imitation of the server could stage them: a `reset` frame to a connected client
// (a stream losing every copy while its members' node lives needs three nodes and two killed: LostStreamsTest covers
// the node's side), frames in an order forced by the test (a message raced ahead of `reset`, an `ok` held back), and a
// version 1 node (none is left to run; client-unit.test.mjs covers the version 1 replies against a fake socket).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Parley = require('../../main/resources/webroot/parley.js');

if (typeof WebSocket !== 'function') {
  throw new Error('no global WebSocket: run with node --experimental-websocket (Node 20) or Node 22+');
}
const [memoryNode, durableNode] = process.argv.slice(2);
if (!memoryNode || !durableNode) {
  console.error('usage: node client-v11.test.mjs MEMORY_NODE_URL DURABLE_NODE_URL');
  process.exit(2);
}

const TIMEOUT = { timeout: 90000 };
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function waitFor(condition, what, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await sleep(5);
  }
}

async function within(promise, what, timeoutMs = 30000) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A token from the node's demo endpoint (auth.devTokenEndpoint): signed by the node, like any page gets. */
async function devToken(node, user) {
  const res = await fetch(node + '/dev/token', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user })
  });
  if (!res.ok) throw new Error(`token for ${user}: HTTP ${res.status}`);
  return (await res.json()).token;
}

/** The node's count of `bad_request` errors since it started (GET /metrics). */
async function badRequests(node) {
  const text = await (await fetch(node + '/metrics')).text();
  const line = text.split('\n').find(l => l.startsWith('parley_errors_total{code="bad_request"}'));
  return line ? Number(line.split(' ').pop()) : NaN;
}

/** The global WebSocket, recording every frame the client writes and reads (`log`: {dir, frame}). */
function recordingWebSocket(log) {
  return class RecordingWebSocket extends WebSocket {
    constructor(url) {
      super(url);
      this.addEventListener('message', e => log.push({ dir: 'in', frame: JSON.parse(e.data) }));
    }

    send(text) {
      log.push({ dir: 'out', frame: JSON.parse(text) });
      super.send(text);
    }
  };
}

/**
 * A connected client of `node` for `user`, recording what it emits and what it writes. Its token comes through a
 * gate: `c.hold()` keeps it from connecting again until `c.release()` (the node it dials is up all the same).
 */
async function client(node, user, extra = {}) {
  const frames = [];
  let gate = Promise.resolve();
  let open = () => {};
  const c = Parley.connect({
    urls: [node], transport: 'websocket', WebSocket: recordingWebSocket(frames), pingIntervalMs: 0,
    getToken: () => gate.then(() => devToken(node, user)),
    backoff: { minMs: 20, maxMs: 200 }, requestTimeoutMs: 5000, ...extra
  });
  c.hold = () => { gate = new Promise(resolve => { open = resolve; }); };
  c.release = () => open();
  c.sent = type => frames.filter(f => f.dir === 'out' && f.frame.type === type).map(f => f.frame);
  c.replies = request => { // the replies to the requests of this type, in order
    const ids = new Set(c.sent(request).map(f => f.id));
    return frames.filter(f => f.dir === 'in' && ids.has(f.frame.id)).map(f => f.frame);
  };
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
  live.push(c);
  await within(c.whenConnected(), user + ' connected');
  return c;
}

/** Has the driver kill -9 the node and start it again; resolves once every client lost its link. */
async function crash(node, clients) {
  console.log(`PARLEY-RESTART-NODE ${node}`);
  await Promise.all(clients.map(c => waitFor(() => c.state !== 'connected', 'the loss of the link', 20000)));
}

const live = []; // every client of the running case, closed when it ends (passed or not)
test.afterEach(() => live.splice(0).forEach(c => c.close()));

const back = c => within(c.whenConnected(), 'the node back and the client connected', 60000);

test('a memory node killed and restarted: rooms and the user stream go on in new epochs, nothing of the new run '
  + 'dropped or doubled', TIMEOUT, async () => {
  const node = memoryNode;
  const alice = await client(node, 'alice');
  const bob = await client(node, 'bob');
  assert.equal(alice.protocol, '1.1');
  await alice.join('lobby', { history: 50 });
  await bob.join('lobby');
  for (let i = 1; i <= 5; i++) await bob.publish('lobby', { text: 'old ' + i });
  await waitFor(() => alice.texts.length === 5, 'the first five');
  const before = alice.position('lobby');
  assert.equal(before.seq, 5);
  assert.equal(before.epoch, (await bob.history('lobby')).epoch);
  await bob.send('alice', { text: 'dm 1' });
  await alice.send('bob', { text: 'dm 2' });
  await bob.send('alice', { text: 'dm 3' });
  await waitFor(() => alice.dms.length === 2, 'two private messages');
  await waitFor(() => alice.sent('ack').some(a => a.seq === 3), 'the ack of 3');
  const streamBefore = alice.userStream();
  assert.equal(streamBefore.seq, 3);

  // the node dies with every stream it held; alice stays away until bob has written into the new run
  alice.hold();
  await crash(node, [alice, bob]);
  await back(bob);
  assert.deepEqual(bob.resets.filter(r => r.room).map(r => [r.room, r.reason, r.previousSeq, r.seq]),
    [['lobby', 'epoch', 5, 0]]);
  assert.equal((await bob.publish('lobby', { text: 'new 1, before alice is back' })).seq, 1);
  assert.equal((await bob.publish('lobby', { text: 'new 2, before alice is back' })).seq, 2);
  await bob.send('alice', { text: 'dm 4, while alice is away' });

  // alice comes back while bob publishes a burst: her re-join races with it; each message once, in seq order
  alice.release();
  const burst = [];
  for (let i = 1; i <= 20; i++) burst.push(bob.publish('lobby', { text: 'burst ' + i }));
  await back(alice);
  await Promise.all(burst);

  const rejoin = alice.sent('join').pop();
  assert.equal(rejoin.since, 5);
  assert.equal(rejoin.epoch, before.epoch, 're-joins with since + the epoch it belongs to');
  const roomResets = alice.resets.filter(r => r.room);
  assert.equal(roomResets.length, 1, JSON.stringify(alice.resets));
  assert.deepEqual([roomResets[0].reason, roomResets[0].previousSeq, roomResets[0].previousEpoch],
    ['epoch', 5, before.epoch]);
  assert.notEqual(roomResets[0].epoch, before.epoch);
  const caughtUp = roomResets[0].seq; // the new run's seq when her join was answered: 2, or more of the burst
  assert.ok(caughtUp >= 2 && caughtUp <= 22, 'reset at ' + caughtUp);
  assert.deepEqual(alice.recoveries.map(r => [r.recovered, r.reset, r.count]), [[false, true, caughtUp]]);

  assert.equal((await alice.publish('lobby', { text: 'alice after the restart' })).seq, 23);
  await bob.publish('lobby', { text: 'bob after the restart' });
  await waitFor(() => alice.texts.length === 29, 'the messages of the new run: ' + alice.texts.length);
  await sleep(100);
  const run = alice.seen.slice(5).map(s => s.split(':'));
  assert.deepEqual(run.map(([, seq]) => Number(seq)), Array.from({ length: 24 }, (_, i) => i + 1), 'seqs 1 to 24');
  assert.deepEqual(new Set(alice.texts.slice(5)), new Set(['new 1, before alice is back',
    'new 2, before alice is back', ...Array.from({ length: 20 }, (_, i) => 'burst ' + (i + 1)),
    'alice after the restart', 'bob after the restart']));
  assert.equal(alice.texts.length, 29, 'nothing shown twice');
  assert.deepEqual(run.slice(0, caughtUp).map(([, , , source]) => source), Array(caughtUp).fill('recovered'));
  assert.deepEqual(run.slice(caughtUp).map(([, , , source]) => source), Array(24 - caughtUp).fill('live'));
  assert.deepEqual(alice.position('lobby'), { seq: 24, epoch: (await bob.history('lobby')).epoch });

  // her user stream too: auth with since + the old epoch, recovered:false, a reset, then what bob sent meanwhile
  const auth = alice.sent('auth').pop();
  assert.deepEqual([auth.since, auth.epoch], [3, streamBefore.epoch]);
  const authOk = alice.replies('auth').pop();
  assert.equal(authOk.recovered, false);
  assert.notEqual(authOk.epoch, streamBefore.epoch);
  assert.deepEqual(alice.resets.filter(r => r.user).map(r => [r.user, r.reason, r.previousSeq, r.epoch]),
    [['alice', 'epoch', 3, authOk.epoch]]);
  await waitFor(() => alice.dms.length === 3, 'the private message sent while she was away');
  assert.deepEqual(alice.dms.map(d => [d.text, d.source]),
    [['dm 1', 'live'], ['dm 3', 'live'], ['dm 4, while alice is away', 'recovered']]);
  await bob.send('alice', { text: 'dm 5' });
  await waitFor(() => alice.dms.length === 4, 'a live one in the new run');
  assert.deepEqual(alice.dms.slice(2).map(d => d.seq), [1, 2]);
  assert.deepEqual(alice.userStream().epoch, authOk.epoch);
  const talk = await alice.conversation('bob');
  assert.deepEqual(talk.messages.map(m => m.body.text), ['dm 4, while alice is away', 'dm 5'],
    'the new run holds only what came after the restart');
  assert.equal(await badRequests(node), 0, 'the node saw no malformed request');
  alice.close();
  bob.close();
});

test('user stream on a node with a store: in order, once, acked in batches; across kill -9 an auth with since + '
  + 'epoch gets the rest; a fresh client only what is owed', TIMEOUT, async () => {
  const node = durableNode;
  const ana = await client(node, 'ana');
  const ben = await client(node, 'ben');
  assert.equal(ana.protocol, '1.1');
  const firstAuth = ana.replies('auth').pop();
  assert.deepEqual(ana.userStream(), { seq: null, epoch: firstAuth.epoch, acked: null });

  for (let i = 1; i <= 3; i++) await ben.send('ana', { text: 'dm ' + i });
  await waitFor(() => ana.dms.length === 3, 'three private messages');
  await waitFor(() => ana.sent('ack').some(a => a.seq === 3), 'the ack', 2000);
  assert.equal(ana.sent('ack').length, 1, 'one ack for the three');
  assert.ok(ana.sent('ack').every(a => a.id === undefined), 'acks carry no id');

  const started = Date.now();
  const burst = [];
  for (let i = 4; i <= 123; i++) burst.push(ben.send('ana', { text: 'dm ' + i }));
  await Promise.all(burst);
  await waitFor(() => ana.dms.length === 123, 'the burst');
  await waitFor(() => ana.sent('ack').some(a => a.seq === 123), 'everything acknowledged', 2000);
  const elapsed = Date.now() - started;
  const acks = ana.sent('ack').slice(1).map(a => a.seq);
  // every 50 messages, or 200 ms after the last: at most one per 200 ms plus one per 50 (and a last one)
  assert.ok(acks.length >= 2 && acks.length <= 3 + Math.ceil(elapsed / 200), `batched: ${acks.length} acks in `
    + `${elapsed} ms: ${acks}`);
  assert.ok(acks.every((seq, i) => i === 0 || seq > acks[i - 1]), 'cumulative: ' + acks);
  assert.deepEqual(ana.dms.map(d => d.seq), Array.from({ length: 123 }, (_, i) => i + 1));
  // sent without waiting for each ok, the burst is stored in the order the node got to each send, not the order sent
  assert.deepEqual(new Set(ana.dms.map(d => d.text)), new Set(Array.from({ length: 123 }, (_, i) => 'dm ' + (i + 1))));

  // the node is killed; what ben sends once it is back comes to ana after an auth with since + epoch, once
  ana.hold();
  await crash(node, [ana, ben]);
  await back(ben);
  await ben.send('ana', { text: 'while away 1' });
  await ben.send('ana', { text: 'while away 2' });
  ana.release();
  await back(ana);
  const auth = ana.sent('auth').pop();
  assert.deepEqual([auth.since, auth.epoch], [123, firstAuth.epoch]);
  const authOk = ana.replies('auth').pop();
  assert.deepEqual([authOk.recovered, authOk.epoch], [true, firstAuth.epoch], 'the store kept the stream');
  await waitFor(() => ana.dms.length === 125, 'the messages missed');
  await sleep(100);
  assert.deepEqual(ana.dms.slice(123).map(d => [d.seq, d.text, d.source]),
    [[124, 'while away 1', 'recovered'], [125, 'while away 2', 'recovered']]);
  assert.deepEqual([ana.resets, ben.resets], [[], []], 'no stream lost its continuity');
  const talk = await ana.conversation('ben', { limit: 4 });
  assert.deepEqual(talk.messages.map(m => [m.seq, m.from, m.body.text]),
    ana.dms.slice(121).map(d => [d.seq, d.from, d.text]), 'the newest four, from the store');
  assert.deepEqual([talk.with, talk.seq, talk.epoch], ['ben', 125, firstAuth.epoch]);

  // a fresh client (a reloaded page): auth without since; nothing is owed once acknowledged. The ack carries no
  // id (no reply says when the node applied it): a fresh client that still got something tries again shortly after
  await waitFor(() => ana.sent('ack').some(a => a.seq === 125), 'acked');
  let page2;
  for (let attempt = 1; ; attempt++) {
    page2 = await client(node, 'ana');
    assert.equal(page2.sent('auth').pop().since, undefined);
    await sleep(300);
    if (page2.dms.length === 0 || attempt === 5) break;
    page2.close();
  }
  assert.equal(page2.dms.length, 0, 'owed to a fresh client: ' + JSON.stringify(page2.dms));

  // cleo is offline: a fresh client gets what is owed, in order, and acknowledges it
  await ben.send('cleo', { text: 'for cleo 1' });
  await ben.send('cleo', { text: 'for cleo 2' });
  const cleo = await client(node, 'cleo');
  await waitFor(() => cleo.dms.length === 2, 'owed messages');
  assert.deepEqual(cleo.dms.map(d => [d.seq, d.text, d.source]),
    [[1, 'for cleo 1', 'recovered'], [2, 'for cleo 2', 'recovered']]);
  await waitFor(() => cleo.sent('ack').some(a => a.seq === 2), "cleo's ack");

  assert.equal(await badRequests(node), 0, 'the node saw no malformed request');
  [ana, ben, page2, cleo].forEach(c => c.close());
});

test("user stream: own sends and a peer's messages interleaved: each once, in the stream's order, none left "
  + 'waiting', TIMEOUT, async () => {
  const node = durableNode;
  const gus = await client(node, 'gus', { streamGapMs: 5000 });
  const hal = await client(node, 'hal', { streamGapMs: 5000 });
  const N = 40;
  const sends = [];
  for (let i = 1; i <= N; i++) {
    sends.push(gus.send('hal', { text: 'gus ' + i }));
    sends.push(hal.send('gus', { text: 'hal ' + i }));
  }
  const oks = await Promise.all(sends);
  await waitFor(() => gus.dms.length === N && hal.dms.length === N, 'every message');
  for (const [c, peer] of [[gus, 'hal'], [hal, 'gus']]) {
    const seqs = c.dms.map(d => d.seq);
    assert.ok(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]), `${c.user}: in stream order: ${seqs}`);
    assert.deepEqual(new Set(c.dms.map(d => d.text)), new Set(Array.from({ length: N }, (_, i) => `${peer} ${i + 1}`)));
    assert.equal(c.dms.length, N, 'each once');
    // the stream holds 2N: the peer's N and this client's own N sends; its position covers them all
    await waitFor(() => c.userStream().seq === 2 * N, `${c.user} at ${2 * N}: ${JSON.stringify(c.userStream())}`);
    await waitFor(() => c.sent('ack').some(a => a.seq === 2 * N), `${c.user} acked ${2 * N}`);
  }
  assert.equal(new Set(oks.map(ok => ok.mid)).size, 2 * N);
  assert.equal(await badRequests(node), 0, 'the node saw no malformed request');
  gus.close();
  hal.close();
});
