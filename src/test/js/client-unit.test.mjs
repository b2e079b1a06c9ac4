// Unit tests of parley.js's connection logic against a scripted fake WebSocket (no server, no browser).
// Run: node --test client-unit.test.mjs   (BrowserTest runs it too)
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Parley = require('../../main/resources/webroot/parley.js');

/** A fake WebSocket: records what the client sends; the test plays the server. */
class FakeSocket {
  static all = [];

  constructor(url) {
    this.url = url;
    this.sent = [];
    this.closed = false;
    FakeSocket.all.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close() {
    this.drop(1000);
  }

  open() {
    this.onopen();
  }

  push(frame) {
    this.onmessage({ data: JSON.stringify(frame) });
  }

  drop(code) {
    if (!this.closed) {
      this.closed = true;
      this.onclose({ code, reason: '' });
    }
  }

  last(type) {
    return [...this.sent].reverse().find(f => f.type === type);
  }

  /** Answers the auth frame (and re-joins with since, from `history`: room -> stored messages). */
  async handshake(user = 'alice', history = {}) {
    this.open();
    await tick();
    const auth = this.last('auth');
    this.push({ type: 'ok', id: auth.id, user, session: 's' + FakeSocket.all.length, node: 'n' });
    await tick();
    for (const join of this.sent.filter(f => f.type === 'join' && f.since !== undefined)) {
      const stored = (history[join.room] || []).filter(m => m.seq > join.since);
      stored.forEach(m => this.push(m));
      const seq = stored.length ? stored[stored.length - 1].seq : join.since;
      this.push({ type: 'ok', id: join.id, room: join.room, seq, recovered: true });
    }
    await tick();
  }
}

const tick = () => new Promise(resolve => setTimeout(resolve, 5));

/** A client on two fake nodes; resolves once its first socket exists. */
async function client(extra = {}) {
  FakeSocket.all = [];
  const c = Parley.connect({
    urls: ['http://node1:1', 'http://node2:2'],
    transport: 'websocket',
    WebSocket: FakeSocket,
    token: 't0',
    backoff: { minMs: 1, maxMs: 4 },
    pingIntervalMs: 0,
    requestTimeoutMs: 500,
    ...extra
  });
  await tick();
  return c;
}

const msg = (room, seq, text) => ({ type: 'message', room, seq, from: 'bob', body: { text }, ts: 1 });

test('authenticates first, then sends requests queued while connecting', async () => {
  const c = await client();
  const joined = c.join('lobby');
  const ws = FakeSocket.all[0];
  assert.equal(ws.url, 'ws://node1:1/ws');
  await ws.handshake();
  assert.deepEqual(ws.sent.map(f => f.type), ['auth', 'join']);
  assert.equal(ws.sent[0].token, 't0');
  ws.push({ type: 'ok', id: ws.last('join').id, room: 'lobby', seq: 7 });
  assert.equal((await joined).seq, 7);
  assert.equal(c.lastSeq('lobby'), 7);
  c.close();
});

test('reconnects to the next node, re-joins with since, emits recovered messages once and in order', async () => {
  const c = await client();
  const seen = [];
  const recoveries = [];
  c.on('message', (m, info) => seen.push(m.seq + ':' + info.source));
  c.on('recovery', r => recoveries.push(r));
  const joined = c.join('lobby');
  await FakeSocket.all[0].handshake();
  const first = FakeSocket.all[0];
  first.push({ type: 'ok', id: first.last('join').id, room: 'lobby', seq: 2 });
  await joined;
  first.push(msg('lobby', 3, 'live'));
  first.push(msg('lobby', 3, 'duplicate'));
  first.drop(1006);
  await tick();
  const second = FakeSocket.all[1];
  assert.equal(second.url, 'ws://node2:2/ws');
  await second.handshake('alice', { lobby: [msg('lobby', 2, 'old'), msg('lobby', 3, 'x'), msg('lobby', 4, 'y'), msg('lobby', 5, 'z')] });
  assert.equal(second.last('join').since, 3);
  second.push(msg('lobby', 5, 'late duplicate'));
  second.push(msg('lobby', 6, 'new'));
  assert.deepEqual(seen, ['3:live', '4:recovered', '5:recovered', '6:live']);
  assert.deepEqual(recoveries.map(r => [r.room, r.recovered, r.count]), [['lobby', true, 2]]);
  assert.equal(c.state, 'connected');
  c.close();
});

test('a publish and a send in flight when the link drops are re-sent with the same ids', async () => {
  const c = await client();
  const joined = c.join('lobby');
  await FakeSocket.all[0].handshake();
  const first = FakeSocket.all[0];
  first.push({ type: 'ok', id: first.last('join').id, room: 'lobby', seq: 0 });
  await joined;
  const published = c.publish('lobby', { text: 'once' });
  const sent = c.send('bob', { text: 'dm' });
  await tick();
  const publishId = first.last('publish').id;
  const sendId = first.last('send').id;
  first.drop(1006);
  await tick();
  const second = FakeSocket.all[1];
  await second.handshake();
  const retried = second.last('publish');
  assert.equal(retried.id, publishId);
  assert.equal(second.sent.indexOf(retried) > second.sent.indexOf(second.last('join')), true, 'publish after re-join');
  assert.equal(second.last('send').id, sendId, 'the send is re-sent with its id: the server de-duplicates it');
  second.push({ type: 'ok', id: publishId, room: 'lobby', seq: 1 });
  second.push({ type: 'ok', id: sendId, mid: 'm-1' });
  assert.equal((await published).seq, 1);
  assert.equal((await sent).mid, 'm-1');
  c.close();
});

test('a publish answered unavailable is sent again with its id, and rejects once the retries are used up', async () => {
  const c = await client({ unavailableRetries: 2 });
  await FakeSocket.all[0].handshake();
  const socket = FakeSocket.all[0];
  const published = c.publish('lobby', { text: 'during a failover' });
  await tick();
  const id = socket.last('publish').id;
  socket.push({ type: 'error', id, code: 'unavailable', message: 'retry' });
  await tick();
  const resent = socket.sent.filter(f => f.type === 'publish');
  assert.equal(resent.length, 2, 'sent again after the backoff');
  assert.equal(resent[1].id, id, 'with the same id: the server de-duplicates it');
  socket.push({ type: 'ok', id, room: 'lobby', seq: 7 });
  assert.equal((await published).seq, 7);

  const refused = assert.rejects(c.publish('lobby', { text: 'never' }), e => e.code === 'unavailable');
  await tick();
  const second = socket.last('publish').id;
  for (let i = 0; i < 3; i++) {
    socket.push({ type: 'error', id: second, code: 'unavailable', message: 'retry' });
    await tick();
  }
  await refused;
  assert.equal(socket.sent.filter(f => f.type === 'publish' && f.id === second).length, 3, 'the first and 2 retries');

  const forbidden = assert.rejects(c.publish('private', { text: 'no' }), e => e.code === 'forbidden');
  await tick();
  socket.push({ type: 'error', id: socket.last('publish').id, code: 'forbidden', message: 'no' });
  await forbidden;
  c.close();
});

test('tells the app when recovery is incomplete, and takes a SockJS disconnect frame as the close code', async () => {
  const c = await client();
  const states = [];
  c.on('state', (s, info) => states.push(s + (info.code ? ':' + info.code : '')));
  const recoveries = [];
  c.on('recovery', r => recoveries.push(r));
  const joined = c.join('lobby');
  const first = FakeSocket.all[0];
  await first.handshake();
  first.push({ type: 'ok', id: first.last('join').id, room: 'lobby', seq: 10 });
  await joined;
  first.push({ type: 'disconnect', code: 1001, reason: 'node shutting down' });
  first.drop(3000);
  await tick();
  const second = FakeSocket.all[1];
  second.open();
  await tick();
  second.push({ type: 'ok', id: second.last('auth').id, user: 'alice', session: 's', node: 'n' });
  await tick();
  second.push({ type: 'ok', id: second.last('join').id, room: 'lobby', seq: 900, recovered: false });
  await tick();
  assert.deepEqual(recoveries.map(r => r.recovered), [false]);
  assert.deepEqual(states, ['connected', 'reconnecting:1001', 'reconnecting', 'connected']);
  c.close();
});

test('calls getToken again on every connection; a refused fixed token stops reconnecting', async () => {
  let calls = 0;
  const c = await client({ token: undefined, getToken: async () => 'tok' + ++calls });
  await FakeSocket.all[0].handshake();
  FakeSocket.all[0].drop(1006);
  await tick();
  await FakeSocket.all[1].handshake();
  assert.deepEqual(FakeSocket.all.map(s => s.sent[0].token), ['tok1', 'tok2']);
  c.close();

  const fixed = await client({ token: 'bad' });
  const errors = [];
  fixed.on('error', e => errors.push(e.code));
  FakeSocket.all[0].open();
  await tick();
  FakeSocket.all[0].push({ type: 'error', id: FakeSocket.all[0].last('auth').id, code: 'unauthorized', message: 'no' });
  FakeSocket.all[0].drop(4001);
  await tick();
  assert.equal(fixed.state, 'disconnected');
  assert.deepEqual(errors, ['unauthorized']);
  assert.equal(FakeSocket.all.length, 1);
});

test('requests time out; private messages are de-duplicated by mid', async () => {
  const c = await client({ requestTimeoutMs: 30 });
  const ws = FakeSocket.all[0];
  await ws.handshake();
  await assert.rejects(c.presence('lobby'), e => e.code === 'timeout');
  const dms = [];
  c.on('private', m => dms.push(m.body.text));
  const dm = { type: 'message', to: 'alice', from: 'bob', mid: 'm1', body: { text: 'hi' }, ts: 1 };
  ws.push(dm);
  ws.push(dm);
  assert.deepEqual(dms, ['hi']);
  c.close();
});

test('backoff grows exponentially with jitter and stays within bounds', () => {
  const backoff = { minMs: 100, maxMs: 1000 };
  for (let attempt = 0; attempt < 12; attempt++) {
    const step = Math.min(1000, 100 * 2 ** attempt);
    const delay = Parley.backoffDelay(backoff, attempt);
    assert.ok(delay >= step / 2 && delay <= step, `attempt ${attempt}: ${delay}`);
  }
});
