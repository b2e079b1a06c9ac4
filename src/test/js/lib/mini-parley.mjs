// A tiny, real parley node for the client's tests: an HTTP server with a hand-written WebSocket endpoint (RFC 6455,
// no dependency) on /ws that speaks the wire protocol 1.1 of PROTOCOL.md (or version 1 with {v1: true}), all in
// memory. It stands in for the Java node until that speaks 1.1: the client is tested over real sockets, and the
// test can do what a real cluster does rarely: lose every copy of a stream (restart(), resetRoom(), resetUser()).
// It also serves the demo page (webroot) and a demo token endpoint (POST /dev/token), for the browser test.
//
// Not a reference implementation: only what the client needs, with the semantics PROTOCOL.md states.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEBROOT = fileURLToPath(new URL('../../../main/resources/webroot/', import.meta.url));
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };

const b64url = value => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT-shaped token for `user` (not signed: the mini node trusts it; the demo reads its `exp`). */
export function token(user, expSeconds = Math.floor(Date.now() / 1000) + 3600) {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: user, exp: expSeconds })}.x`;
}

function userOf(jwt) {
  try {
    const sub = JSON.parse(Buffer.from(String(jwt).split('.')[1], 'base64url').toString()).sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : null;
  } catch {
    return null;
  }
}

// --- WebSocket framing ------------------------------------------------------------------------------------------

function encode(opcode, payload) {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x80 | opcode, length])
    : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 255])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64BE(BigInt(length));
        return b;
      })()]);
  return Buffer.concat([header, payload]);
}

/** One accepted WebSocket: onText(text), onClose(code); send(text), close(code, reason), destroy(). */
class Socket {
  constructor(raw) {
    this.raw = raw;
    this.buffer = Buffer.alloc(0);
    this.fragments = [];
    this.closed = false;
    this.onText = () => {};
    this.onClose = () => {};
    raw.on('data', chunk => this.read(chunk));
    raw.on('close', () => this.gone(1006));
    raw.on('error', () => this.gone(1006));
  }

  read(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const opcode = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let length = b[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const mask = masked ? b.subarray(offset, offset + 4) : null;
      if (masked) offset += 4;
      if (b.length < offset + length) return;
      const payload = Buffer.from(b.subarray(offset, offset + length));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      this.buffer = b.subarray(offset + length);
      if (opcode === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.close(code === 1005 ? 1000 : code);
        this.gone(code);
        return;
      }
      if (opcode === 0x9) {
        this.write(encode(0xa, payload));
        continue;
      }
      if (opcode === 0x1 || opcode === 0x0) {
        this.fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.onText(text);
        }
      }
    }
  }

  write(bytes) {
    if (!this.closed && !this.raw.destroyed) this.raw.write(bytes);
  }

  send(text) {
    this.write(encode(0x1, Buffer.from(text, 'utf8')));
  }

  close(code = 1000, reason = '') {
    if (this.closed) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.write(encode(0x8, payload));
    this.raw.end();
    this.closed = true;
  }

  /** An abrupt loss (a crashed node): no close frame. */
  destroy() {
    this.raw.destroy();
    this.gone(1006);
  }

  gone(code) {
    this.closed = true;
    const onClose = this.onClose;
    this.onClose = () => {};
    onClose(code);
  }
}

// --- the node ---------------------------------------------------------------------------------------------------

/**
 * Starts a mini node on a free port. Options: v1 (speak version 1: no epochs, no user-stream seqs, `ack` and
 * `history` with `with` are errors), port. Resolves with the node's handle (see the return value).
 */
export async function startMiniParley(options = {}) {
  const v1 = !!options.v1;
  let epochCount = 0;
  let midCount = 0;
  let sessionCount = 0;
  const newEpoch = () => `ep${++epochCount}-${crypto.randomBytes(3).toString('hex')}`;
  let rooms = new Map();    // name -> { epoch, seq, messages, members: Set<session> }
  let users = new Map();    // name -> { epoch, seq, messages, acked, mailbox (v1) }
  let done = new Map();     // user + ' ' + request id -> the first ok (publish/send de-duplication)
  const sessions = new Set();
  const received = [];      // every frame a client sent: {session, user, frame}
  let protocolErrors = 0;
  const held = new Map();   // user + ' ' + request type -> replies held back: [session, frame]
  const after = new Map();  // request type -> fn(session), run once right after the next ok of that type

  const room = name => {
    if (!rooms.has(name)) rooms.set(name, { epoch: newEpoch(), seq: 0, messages: [], members: new Set() });
    return rooms.get(name);
  };
  const stream = name => {
    if (!users.has(name)) users.set(name, { epoch: newEpoch(), seq: 0, messages: [], acked: 0, mailbox: [] });
    return users.get(name);
  };
  const sessionsOf = user => [...sessions].filter(s => s.user === user);

  function push(session, frame) {
    session.socket.send(JSON.stringify(frame));
  }

  function presence(name, user, state) {
    const r = room(name);
    for (const member of r.members) push(member, { type: 'presence', room: name, user, state });
  }

  function usersIn(name) {
    return [...new Set([...room(name).members].map(s => s.user))];
  }

  function handle(session, text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      protocolErrors++;
      push(session, { type: 'error', code: 'bad_request', message: 'invalid JSON' });
      return;
    }
    received.push({ session: session.id, user: session.user || (frame.type === 'auth' ? userOf(frame.token) : null),
      frame });
    const id = frame.id;
    const ok = fields => {
      const reply = { type: 'ok', ...(id !== undefined ? { id } : {}), ...fields };
      if (held.has(session.user + ' ' + frame.type)) held.get(session.user + ' ' + frame.type).push([session, reply]);
      else push(session, reply);
      const hook = after.get(frame.type);
      if (hook) {
        after.delete(frame.type);
        hook(session); // in the same tick: its frames share the TCP segment with the reply
      }
    };
    const error = (code, message) => {
      if (code === 'bad_request') protocolErrors++;
      push(session, { type: 'error', ...(id !== undefined ? { id } : {}), code, message });
    };
    if (!session.user && frame.type !== 'auth') return error('unauthorized', 'auth first');
    switch (frame.type) {
      case 'auth': {
        const user = userOf(frame.token);
        if (!user) {
          error('unauthorized', 'invalid token');
          session.socket.close(4001, 'invalid token');
          return;
        }
        if (session.user) return ok({ user, session: session.id, node: 'mini' }); // a refresh
        session.user = user;
        const s = stream(user);
        if (v1) {
          ok({ user, session: session.id, node: 'mini' });
          s.mailbox.splice(0).forEach(m => push(session, m));
          return;
        }
        const reply = { user, session: session.id, node: 'mini', seq: s.seq, epoch: s.epoch };
        let replay;
        if (typeof frame.since === 'number') {
          const recovered = frame.epoch === s.epoch && frame.since <= s.seq;
          reply.recovered = recovered;
          replay = recovered ? s.messages.filter(m => m.seq > frame.since)
            : s.messages.filter(m => m.seq > s.acked);
        } else {
          replay = s.messages.filter(m => m.seq > s.acked);
        }
        ok(reply);
        replay.forEach(m => push(session, m));
        return;
      }
      case 'join': {
        if (typeof frame.room !== 'string') return error('bad_request', 'room');
        const r = room(frame.room);
        const since = typeof frame.since === 'number' ? frame.since : null;
        const first = !usersIn(frame.room).includes(session.user);
        r.members.add(session);
        session.rooms.add(frame.room);
        const reply = { room: frame.room, seq: r.seq };
        if (!v1) reply.epoch = r.epoch;
        if (since !== null) {
          const sameRun = v1 || frame.epoch === undefined || frame.epoch === r.epoch;
          reply.recovered = sameRun && since <= r.seq;
          if (sameRun) r.messages.filter(m => m.seq > since).forEach(m => push(session, m));
        }
        ok(reply);
        if (first) presence(frame.room, session.user, 'join');
        return;
      }
      case 'leave': {
        const r = room(frame.room);
        r.members.delete(session);
        session.rooms.delete(frame.room);
        ok({ room: frame.room });
        if (!usersIn(frame.room).includes(session.user)) presence(frame.room, session.user, 'leave');
        return;
      }
      case 'publish': {
        if (!session.rooms.has(frame.room)) return error('forbidden', 'join first');
        const key = session.user + ' ' + id;
        if (id !== undefined && done.has(key)) return ok(done.get(key));
        const r = room(frame.room);
        const message = { type: 'message', room: frame.room, seq: ++r.seq, from: session.user, body: frame.body,
          ts: Date.now() };
        r.messages.push(message);
        const reply = { room: frame.room, seq: message.seq };
        if (id !== undefined) done.set(key, reply);
        ok(reply);
        for (const member of r.members) push(member, message);
        return;
      }
      case 'send': {
        if (typeof frame.to !== 'string') return error('bad_request', 'to');
        const key = session.user + ' ' + id;
        if (id !== undefined && done.has(key)) return ok(done.get(key));
        const mid = `m${++midCount}`;
        const base = { type: 'message', to: frame.to, from: session.user, mid, body: frame.body, ts: Date.now() };
        if (v1) {
          const recipients = sessionsOf(frame.to);
          if (recipients.length === 0) stream(frame.to).mailbox.push(base);
          recipients.forEach(s => push(s, base));
          sessionsOf(session.user).filter(s => s !== session).forEach(s => push(s, base));
          const reply = { mid };
          if (id !== undefined) done.set(key, reply);
          return ok(reply);
        }
        const mine = stream(session.user);
        const theirs = frame.to === session.user ? null : stream(frame.to);
        const own = { ...base, seq: ++mine.seq };
        mine.messages.push(own);
        let copy = null;
        if (theirs) {
          copy = { ...base, seq: ++theirs.seq };
          theirs.messages.push(copy);
        }
        const reply = { mid, seq: own.seq };
        if (id !== undefined) done.set(key, reply);
        ok(reply);
        if (copy) sessionsOf(frame.to).forEach(s => push(s, copy));
        sessionsOf(session.user).filter(s => s !== session).forEach(s => push(s, own));
        return;
      }
      case 'ack': {
        if (v1 || typeof frame.seq !== 'number') return error('bad_request', 'unknown type ack');
        const s = stream(session.user);
        s.acked = Math.max(s.acked, Math.min(frame.seq, s.seq));
        if (id !== undefined) ok({});
        return;
      }
      case 'presence': {
        const list = usersIn(frame.room);
        return ok({ room: frame.room, users: list, ...(v1 ? {} : { count: list.length, truncated: false }) });
      }
      case 'history': {
        const since = typeof frame.since === 'number' ? frame.since : null;
        const limit = typeof frame.limit === 'number' ? frame.limit : 100;
        const page = list => since !== null ? list.filter(m => m.seq > since).slice(0, limit) : list.slice(-limit);
        if (typeof frame.with === 'string' && frame.room === undefined) {
          if (v1) return error('bad_request', 'room is required');
          const s = stream(session.user);
          const peer = frame.with;
          const talk = s.messages.filter(m => (m.from === peer && m.to === session.user)
            || (m.from === session.user && m.to === peer));
          return ok({ with: peer, messages: page(talk), seq: s.seq, epoch: s.epoch });
        }
        if (typeof frame.room !== 'string') return error('bad_request', 'room');
        const r = room(frame.room);
        return ok({ room: frame.room, messages: page(r.messages), seq: r.seq, ...(v1 ? {} : { epoch: r.epoch }) });
      }
      case 'ping':
        return push(session, { type: 'pong', ...(id !== undefined ? { id } : {}) });
      default:
        return error('bad_request', 'unknown type ' + frame.type);
    }
  }

  function accept(raw) {
    const session = { id: 's' + ++sessionCount, user: null, rooms: new Set(), socket: new Socket(raw) };
    sessions.add(session);
    session.socket.onText = text => handle(session, text);
    session.socket.onClose = () => {
      sessions.delete(session);
      for (const name of session.rooms) {
        room(name).members.delete(session);
        if (!usersIn(name).includes(session.user)) presence(name, session.user, 'leave');
      }
    };
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'content-type');
    if (req.method === 'OPTIONS') return res.end();
    if (req.method === 'POST' && url.pathname === '/dev/token') {
      let body = '';
      req.on('data', c => { body += c; });
      req.on('end', () => {
        const user = JSON.parse(body || '{}').user;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token: token(user) }));
      });
      return undefined;
    }
    const file = path.join(WEBROOT, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
    if (!file.startsWith(WEBROOT) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.statusCode = 404;
      return res.end('not found');
    }
    res.setHeader('content-type', TYPES[path.extname(file)] || 'application/octet-stream');
    res.setHeader('cache-control', 'no-store');
    return res.end(fs.readFileSync(file));
  });
  server.on('upgrade', (req, raw) => {
    const key = req.headers['sec-websocket-key'];
    if (new URL(req.url, 'http://x').pathname !== '/ws' || !key) {
      raw.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const acceptKey = crypto.createHash('sha1').update(key + GUID).digest('base64');
    raw.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + `Sec-WebSocket-Accept: ${acceptKey}\r\n\r\n`);
    accept(raw);
  });
  await new Promise(resolve => server.listen(options.port || 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  return {
    url,
    v1,
    /** Frames clients sent, optionally of one type. */
    received: type => received.filter(r => !type || r.frame.type === type).map(r => ({ ...r.frame, $user: r.user })),
    protocolErrors: () => protocolErrors,
    sessions: () => [...sessions],
    room,
    stream,
    /** A message published by `from` (as the HTTP API would), pushed to the room's members. */
    publish(name, from, body) {
      const r = room(name);
      const message = { type: 'message', room: name, seq: ++r.seq, from, body, ts: Date.now() };
      r.messages.push(message);
      for (const member of r.members) push(member, message);
      return message;
    },
    /** Holds back the ok replies to `user`'s requests of `type` (e.g. a slow store) until release(). */
    holdReplies(user, type) {
      held.set(user + ' ' + type, []);
    },
    release(user, type) {
      const replies = held.get(user + ' ' + type) || [];
      held.delete(user + ' ' + type);
      replies.forEach(([session, reply]) => push(session, reply));
    },
    /** Runs `fn(session)` once, right after the next ok to a request of `type` was written. */
    afterReply(type, fn) {
      after.set(type, fn);
    },
    /** Sends a frame as is to every session of `user`. */
    pushTo(user, frame) {
      sessionsOf(user).forEach(s => push(s, frame));
    },
    /**
     * A crash of a node that held everything in memory: every connection dropped (abruptly, or with `code` and a
     * `disconnect` frame), every stream forgotten; streams start again in new epochs, seq 0.
     */
    restart({ code = null } = {}) {
      for (const session of [...sessions]) {
        if (code) {
          push(session, { type: 'disconnect', code, reason: 'restart' });
          session.socket.close(code, 'restart');
        } else {
          session.socket.destroy();
        }
      }
      rooms = new Map();
      users = new Map();
      done = new Map();
    },
    /**
     * A room loses every copy of its stream while its members stay connected: a new epoch from seq 0. `before`:
     * messages published into the new run before its members hear `reset` (the race a client must survive).
     */
    resetRoom(name, { before = [] } = {}) {
      const old = room(name);
      const fresh = { epoch: newEpoch(), seq: 0, messages: [], members: old.members };
      rooms.set(name, fresh);
      const early = before.map(([from, body]) => this.publish(name, from, body));
      const reset = { type: 'reset', room: name, epoch: fresh.epoch, seq: fresh.seq };
      for (const member of fresh.members) push(member, reset);
      return early;
    },
    /** A user's stream loses continuity: a new epoch, pushed as `reset` to the user's sessions. */
    resetUser(user) {
      const fresh = { epoch: newEpoch(), seq: 0, messages: [], acked: 0, mailbox: [] };
      users.set(user, fresh);
      sessionsOf(user).forEach(s => push(s, { type: 'reset', user, epoch: fresh.epoch, seq: 0 }));
    },
    close() {
      for (const session of [...sessions]) session.socket.destroy();
      return new Promise(resolve => server.close(resolve));
    }
  };
}
