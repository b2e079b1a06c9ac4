// The real sockjs-client (npm, in Node) against a real parley node, on one SockJS transport. Run by
// io.parley.browser.SockJsClientTest.
//
// node sockjs-transports.mjs sessions NODE_URL TRANSPORT TOKEN COUNT
//   COUNT sessions one after the other from this process, as an app that reconnects does: each authenticates,
//   joins, publishes and reads its messages back, pings and closes. Node's global HTTP agent keeps connections
//   alive and reuses them (Node 19+), so a connection the node closes after a response without saying so
//   ("Connection: close") is reused by a later request, which fails with "socket hang up".
//   Prints `RESULT sessions_ok=N failures=M`; exit code 0 only when every session went through.
//
// node sockjs-transports.mjs hold NODE_URL TRANSPORT TOKEN ROOM PING_MS
//   One session that joins ROOM, prints `READY`, then pings every PING_MS (0: never), as parley.js does, and
//   prints every `disconnect` frame and the close: the driver stops this process (SIGSTOP) to make it a client that
//   vanished, and lets it go on (SIGCONT) to see what it was told.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const SockJS = require('sockjs-client');

const [mode, nodeUrl, transport, token, ...rest] = process.argv.slice(2);
if (!['sessions', 'hold'].includes(mode) || !nodeUrl || !transport || !token) {
  console.error('usage: node sockjs-transports.mjs sessions|hold NODE_URL TRANSPORT TOKEN ...');
  process.exit(2);
}

/** One SockJS session speaking parley's protocol: requests with ids, replies matched to them. */
class Session {
  constructor() {
    this.sock = new SockJS(nodeUrl + '/sockjs', null, { transports: [transport], timeout: 10000 });
    this.waiting = new Map();
    this.frames = [];
    this.nextId = 0;
    this.opened = new Promise((resolve, reject) => {
      this.sock.onopen = () => resolve();
      this.closed = new Promise(resolveClose => {
        this.sock.onclose = e => {
          const close = { code: e.code, reason: e.reason };
          reject(new Error(`closed before open: ${e.code} ${e.reason}`));
          for (const pending of this.waiting.values()) {
            pending.reject(new Error(`closed: ${e.code} ${e.reason}`));
          }
          resolveClose(close);
        };
      });
    });
    this.sock.onmessage = e => {
      const frame = JSON.parse(e.data);
      this.frames.push(frame);
      const pending = frame.id !== undefined && this.waiting.get(frame.id);
      if (pending) {
        this.waiting.delete(frame.id);
        pending.resolve(frame);
      }
      if (frame.type === 'disconnect') {
        console.log(`DISCONNECT code=${frame.code} reason=${JSON.stringify(frame.reason)}`);
      }
    };
  }

  request(frame) {
    const id = 'r' + (++this.nextId);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.sock.send(JSON.stringify({ ...frame, id }));
    });
  }

  async expectOk(frame) {
    const reply = await this.request(frame);
    if (reply.type !== 'ok' && reply.type !== 'pong') {
      throw new Error(`${frame.type}: ${JSON.stringify(reply)}`);
    }
    return reply;
  }
}

async function oneSession(i) {
  const session = new Session();
  await session.opened;
  await session.expectOk({ type: 'auth', token });
  const room = `keepalive-${transport}-${i}`;
  await session.expectOk({ type: 'join', room });
  for (let m = 0; m < 5; m++) {
    await session.expectOk({ type: 'publish', room, body: `m${m}` });
  }
  // the publisher's own copy of a message may come after the publish's ok
  const received = () => session.frames.filter(f => f.type === 'message' && f.room === room).length;
  const deadline = Date.now() + 5000;
  while (received() < 5 && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  if (received() !== 5) throw new Error(`session ${i}: ${received()} of 5 messages back`);
  await session.expectOk({ type: 'ping' });
  session.sock.close();
  await session.closed;
}

async function sessions(count) {
  let ok = 0;
  const failures = [];
  for (let i = 0; i < count; i++) {
    try {
      await oneSession(i);
      ok++;
    } catch (e) {
      failures.push(`session ${i}: ${e.message}`);
      console.log(`FAILED session ${i}: ${e.message}`);
    }
  }
  console.log(`RESULT sessions_ok=${ok} failures=${failures.length}`);
  process.exit(failures.length === 0 && ok === count ? 0 : 1);
}

async function hold(room, pingMs) {
  const session = new Session();
  await session.opened;
  await session.expectOk({ type: 'auth', token });
  await session.expectOk({ type: 'join', room });
  if (pingMs > 0) {
    setInterval(() => session.request({ type: 'ping' }).catch(() => { }), pingMs);
  }
  console.log('READY');
  const close = await session.closed;
  console.log(`CLOSED code=${close.code} reason=${JSON.stringify(close.reason)}`);
  process.exit(0);
}

try {
  if (mode === 'sessions') {
    await sessions(Number(rest[0] || 5));
  } else {
    await hold(rest[0], Number(rest[1] || 0));
  }
} catch (e) {
  console.log(`ERROR ${e.stack || e}`);
  process.exit(1);
}
