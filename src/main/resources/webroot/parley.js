/*!
 * parley.js: the browser client for parley (wire protocol version 1.1, PROTOCOL.md; it also speaks to version 1 nodes).
 * A classic script that defines `window.Parley`; `parley.mjs` re-exports it as an ES module.
 * API: the README of the parley repository, "Browser client". Additions of protocol 1.1, in short:
 *
 * Options (besides those of the README):
 *   ackDelayMs   200   private messages are acknowledged (`ack`, cumulative) at most this long after the app's
 *                      `private` handler ran for them...
 *   ackBatch     50    ...or at once when this many were delivered since the last `ack`. Acks are sent only to a
 *                      node whose `auth` ok carried `seq` (a 1.1 node): a version 1 node counts `ack` as an error.
 *   streamGapMs  2000  a private message that arrives ahead of a seq still missing from the user's stream (the
 *                      usual case: the `ok` of this session's own `send` is still on its way) waits at most this
 *                      long, then is delivered anyway.
 *
 * Streams, seqs and epochs: per room the client keeps the last seq it emitted and the epoch that seq belongs to,
 * and re-joins with `since` + `epoch`. When a `join` ok names another epoch, or its seq went backwards (a version 1
 * node that lost its memory), or a `reset` frame arrives, the client adopts the new epoch and seq (so new messages
 * are no longer dropped as "already seen"), emits `reset`, and reads the new run's messages up to that seq from
 * `history` (emitted as `message` with source 'recovered', each once, before anything newer).
 * For the user's own stream (private messages) it keeps the position up to which every message was handled;
 * on a reconnect within this client's life `auth` carries `since` + `epoch`, on a fresh client it carries neither
 * (the node then sends what is owed: everything not yet acknowledged).
 *
 * New events:
 *   reset     ({room, epoch, seq, previousEpoch, previousSeq, reason}) a room's stream lost its continuity
 *             (reason 'reset': a `reset` frame; 'epoch': a re-join found another epoch; 'restart': the seq went
 *             backwards, a version 1 node that restarted). Messages of the new run up to `seq` follow as
 *             `message` with source 'recovered'; tell the user that older messages of the room may be gone.
 *             ({user, epoch, seq, previousEpoch, previousSeq, reason}) the same for the user's own stream
 *             (reason 'reset' or 'epoch'): reload conversations (`conversation(peer)`) to be sure to show them whole.
 *   private   now `(message, {source})`: source 'live', or 'recovered' (sent again by the node after an `auth`).
 *             De-duplicated by `seq` and `mid`, delivered in the order of the user's stream.
 *   recovery  also carries `epoch` and `reset` (true when the re-join found a new run: `recovered` is then false).
 *             Also emitted by `join` itself when its `ok` says `recovered: false`.
 *
 * New calls and fields:
 *   conversation(user, {since, limit}?)  `history` with `with`: the conversation with `user` from the caller's
 *             stream, resolves with {with, messages, seq, epoch}. Rejects with code 'unsupported' (sending nothing)
 *             on a version 1 node.
 *   position(room)   {seq, epoch} of a room (null before its first join completes); lastSeq(room) as before.
 *   userStream()     {seq, epoch, acked} of the user's stream (null before a 1.1 node answered `auth`).
 *   protocol         '1.1' or '1' after `auth`: what the current node speaks.
 *   close 4002       (the session's token expired) like 4001: a new token from getToken, reconnect, recover; with a
 *                    fixed `token`, the client stops (`error` with code 'expired').
 *   refresh          with `getToken`, on a 1.1 node: `refreshMarginMs` before the session's `exp` the client asks
 *                    getToken for a new token and sends it as a second `auth` on the same connection, so the
 *                    session goes on without a reconnect (`error` with code 'refresh_failed' if that fails; the
 *                    node then closes with 4002 at exp and the client reconnects with a new token).
 */
(function (root, factory) {
  'use strict';
  var Parley = factory(root);
  if (typeof module === 'object' && module.exports) {
    module.exports = Parley;
  }
  root.Parley = Parley;
})(typeof globalThis !== 'undefined' ? globalThis : this, function (root) {
  'use strict';

  var VERSION = '1.1.0';

  /** Where this script was loaded from, to find the vendored sockjs-client beside it. */
  var SCRIPT_SRC = root.document && root.document.currentScript ? root.document.currentScript.src : null;
  var SOCKJS_PATH = 'vendor/sockjs-client-1.6.1/sockjs.min.js';

  /** Requests whose effect does not depend on being sent twice: re-sent (same id) after a reconnect. */
  var RETRYABLE = { publish: true, send: true, join: true, presence: true, history: true };

  var DEFAULTS = {
    transport: 'sockjs',          // or 'websocket'
    sockjsUrl: SCRIPT_SRC ? new URL(SOCKJS_PATH, SCRIPT_SRC).href : null, // loaded if window.SockJS is missing
    requestTimeoutMs: 10000,      // per request, counted while it is on the wire
    unavailableRetries: 5,        // a retryable request answered `unavailable` is sent again this many times
    pingIntervalMs: 25000,        // 0: no pings (the client then notices a dead link only when the socket closes)
    backoff: { minMs: 250, maxMs: 10000 },
    ackDelayMs: 200,              // (1.1) private messages acknowledged at most this long after their handler ran
    ackBatch: 50,                 // (1.1) ... or at once after this many
    streamGapMs: 2000,            // (1.1) how long a private message waits for a missing earlier seq
    refreshMarginMs: 30000        // (1.1) with getToken: re-auth this long before the token's exp (at most 1/5 of it)
  };

  var MAX_MIDS = 5000;            // private-message ids remembered for de-duplication
  var MAX_RECENT = 500;           // per room: fingerprints of the last messages emitted (a catch-up skips those)
  var MAX_CATCH_UP_PAGES = 50;    // history pages read to catch up with a room's new run

  /** A rejected request: `code` is a protocol error code, or 'timeout', 'disconnected', 'closed', 'unsupported'. */
  function ParleyError(code, message, reply) {
    var error = new Error(message || code);
    error.name = 'ParleyError';
    error.code = code;
    error.reply = reply || null;
    return error;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Transports: one tiny adapter each, same shape: send(text), close(code, reason), and three callbacks.

  function httpBase(url) {
    return String(url).replace(/\/+$/, '');
  }

  function openWebSocket(WebSocketImpl, url, link) {
    var ws = new WebSocketImpl(httpBase(url).replace(/^http/, 'ws') + '/ws');
    ws.onopen = function () { link.onopen(); };
    ws.onmessage = function (e) { link.onmessage(typeof e.data === 'string' ? e.data : null); };
    ws.onclose = function (e) { link.onclose(e.code, e.reason); };
    ws.onerror = function () { /* a close always follows */ };
    return {
      send: function (text) { ws.send(text); },
      close: function (code, reason) { try { ws.close(code, reason); } catch (e) { ws.close(); } }
    };
  }

  function openSockJS(SockJSImpl, url, link, sockjsOptions) {
    var sock = new SockJSImpl(httpBase(url) + '/sockjs', null, sockjsOptions || {});
    sock.onopen = function () { link.onopen(); };
    sock.onmessage = function (e) { link.onmessage(e.data); };
    sock.onclose = function (e) { link.onclose(e.code, e.reason); };
    return {
      send: function (text) { sock.send(text); },
      close: function (code, reason) { sock.close(code, reason); }
    };
  }

  var sockjsLoading = null;

  /** The SockJS constructor: given, global, or loaded once from the vendored copy beside this script. */
  function loadSockJS(given, sockjsUrl) {
    if (given) return Promise.resolve(given);
    if (root.SockJS) return Promise.resolve(root.SockJS);
    if (!root.document) return Promise.reject(new Error('SockJS is not loaded: pass options.SockJS'));
    if (!sockjsLoading) {
      sockjsLoading = new Promise(function (resolve, reject) {
        var script = root.document.createElement('script');
        script.src = sockjsUrl || new URL(SOCKJS_PATH, root.location.href).href;
        script.onload = function () { resolve(root.SockJS); };
        script.onerror = function () { sockjsLoading = null; reject(new Error('could not load ' + script.src)); };
        root.document.head.appendChild(script);
      });
    }
    return sockjsLoading;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The client.

  /**
   * One logical connection to a parley cluster that survives the loss of its socket: it reconnects (rotating through
   * `urls`), authenticates again, re-joins its rooms with `since` and replays what it missed. See the README, "Browser client".
   */
  function Client(options) {
    options = options || {};
    var urls = options.urls || options.url || (root.location ? root.location.origin : null);
    this.urls = (Array.isArray(urls) ? urls : [urls]).filter(Boolean).map(httpBase);
    if (this.urls.length === 0) throw new Error('parley: no node URL (options.urls)');
    if (!options.token && !options.getToken) throw new Error('parley: options.token or options.getToken is required');
    this.options = Object.assign({}, DEFAULTS, options);
    this.options.backoff = Object.assign({}, DEFAULTS.backoff, options.backoff);
    var token = options.token;
    this._getToken = options.getToken || function () { return token; };

    this.state = 'disconnected';  // connecting | connected | reconnecting | disconnected
    this.user = null;             // after auth: the user id, this connection's session id and the node's id
    this.session = null;
    this.node = null;
    this.url = null;              // the node URL of the current (or last) socket
    this.protocol = null;         // after auth: '1.1' when the node's auth ok carried the user stream's seq, else '1'

    this._handlers = {};
    // room -> { seq: last seq emitted or null, epoch: the run that seq belongs to (1.1) or null,
    //           replay: null | 'recovered' | 'history', count: recovery counter, recent: Map seq -> fingerprint,
    //           hold: null | [messages held while catching up with a new run], gap: null | {epoch, upTo}, catchUp: n,
    //           early: null | [messages received before the ok of a join with since, held until it says which run] }
    this._rooms = new Map();
    // (1.1) the user's stream: { epoch, seq: every message up to it was handled (null: not known yet),
    //        acked, authSeq, held: Map seq -> message waiting for an earlier seq, own: Set of seqs of own sends }
    this._stream = null;
    this._v11 = false;            // the current node speaks 1.1 (its auth ok carried seq)
    this._authed = false;         // the current link is authenticated
    this._ackTimer = null;
    this._gapTimer = null;
    this._pending = new Map();    // id -> request (sent on the current link, waiting for a reply)
    this._outbox = [];            // requests waiting for a connected link, in order
    this._seenMids = new Set();   // private-message ids already emitted or sent (bounded)
    this._idPrefix = Math.random().toString(36).slice(2, 10);
    this._nextId = 1;
    this._urlIndex = 0;
    this._attempt = 0;
    this._generation = 0;         // bumped per socket: callbacks of an older socket are ignored
    this._link = null;
    this._closedByUser = true;
    this._everConnected = false;
    this._retryTimer = null;
    this._pingTimer = null;
    this._connectTimer = null;
    this._serverDisconnect = null; // {code, reason} from a SockJS `disconnect` frame
  }

  Client.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };

  Client.prototype.off = function (event, handler) {
    var list = this._handlers[event] || [];
    this._handlers[event] = list.filter(function (h) { return h !== handler; });
    return this;
  };

  Client.prototype._emit = function (event) {
    var args = Array.prototype.slice.call(arguments, 1);
    (this._handlers[event] || []).slice().forEach(function (handler) {
      try {
        handler.apply(null, args);
      } catch (e) {
        if (root.console) root.console.error('parley: a ' + event + ' handler threw', e);
      }
    });
  };

  Client.prototype._setState = function (state, info) {
    this.state = state;
    this._emit('state', state, info || {});
  };

  /** Starts connecting (done by Parley.connect); again after close() to start over. */
  Client.prototype.connect = function () {
    if (!this._closedByUser) return this;
    this._closedByUser = false;
    this._attempt = 0;
    this._dial();
    return this;
  };

  /** Closes for good: pending requests are rejected with 'closed', no reconnect. */
  Client.prototype.close = function () {
    this._flushAck();
    this._closedByUser = true;
    clearTimeout(this._retryTimer);
    clearTimeout(this._refreshTimer);
    clearTimeout(this._gapTimer);
    this._dropLink(1000, 'client closed');
    this._rejectAll('closed', 'the client was closed');
    this._setState('disconnected', { reason: 'closed' });
  };

  /** Resolves when the client is (next) connected, authenticated and has re-joined its rooms. */
  Client.prototype.whenConnected = function () {
    var self = this;
    if (self.state === 'connected') return Promise.resolve(self);
    return new Promise(function (resolve) {
      self.on('state', function once(state) {
        if (state === 'connected') {
          self.off('state', once);
          resolve(self);
        }
      });
    });
  };

  // --- requests ---------------------------------------------------------------------------------------------------

  /** Joins a room. `options.history`: also emit the last N messages (source 'history') before resolving. */
  Client.prototype.join = function (room, options) {
    var self = this;
    var entry = self._rooms.get(room);
    if (!entry) {
      entry = newRoomEntry();
      self._rooms.set(room, entry);
    }
    var limit = options && options.history;
    var before = limit ? self.history(room, { limit: limit }) : Promise.resolve(null);
    var since = null;
    var heldEpoch = null;
    var joined = null;
    return before.then(function (page) {
      var frame = { type: 'join', room: room };
      if (page) {
        if (page.epoch != null && entry.epoch != null && page.epoch !== entry.epoch) {
          entry.seq = null; // what this client held belongs to a run that no longer exists
        }
        if (page.epoch != null) entry.epoch = page.epoch;
        page.messages.forEach(function (m) { self._roomMessage(m, 'history'); });
        frame.since = Math.max(entry.seq || 0, page.seq);
        entry.seq = frame.since;
        entry.replay = 'history';
      }
      if (frame.since != null && entry.epoch != null) frame.epoch = entry.epoch;
      since = frame.since != null ? frame.since : null;
      heldEpoch = frame.epoch != null ? frame.epoch : null;
      if (since !== null) entry.early = [];
      var onOk = function (ok) { joined = self._joined(room, entry, since, heldEpoch, ok); };
      return self._request(frame, { onOk: onOk });
    }).then(function (ok) {
      return joined.done.then(function () {
        if (since !== null && ok.recovered === false && !joined.reset) {
          self._emit('recovery', { room: room, recovered: false, count: 0, since: since, seq: entry.seq,
            epoch: entry.epoch, reset: false });
        }
        return ok;
      });
    }, function (error) {
      if (self._rooms.get(room) === entry && entry.seq === null) self._rooms.delete(room);
      entry.replay = null;
      entry.early = null;
      throw error;
    });
  };

  function newRoomEntry() {
    return { seq: null, epoch: null, replay: null, count: null, recent: new Map(), hold: null, gap: null, catchUp: 0,
      early: null };
  }

  /**
   * A join's ok, on a join or a re-join with `since` (null: without) while holding `heldEpoch`; called as the ok
   * arrives, before any frame after it (a batch of frames may be handled before promise callbacks run). A new run
   * (another epoch, or a seq lower than `since`) is adopted and caught up with. Returns {reset, done: Promise}.
   * The messages the node sent before the ok were held (entry.early): their seqs mean something only in the run the
   * ok names. In the held run they are emitted now (source 'recovered' or 'history'); in a new run they are the new
   * run's from its start (a 1.1 node sends them so), which the catch-up reads again in order and emits each once.
   */
  Client.prototype._joined = function (room, entry, since, heldEpoch, ok) {
    var self = this;
    var early = entry.early || [];
    entry.early = null;
    var otherEpoch = ok.epoch != null && heldEpoch != null && ok.epoch !== heldEpoch;
    var backwards = since !== null && typeof ok.seq === 'number' && ok.seq < since;
    if (otherEpoch || backwards) {
      entry.replay = null;
      return { reset: true,
        done: this._roomReset(room, entry, ok.epoch, ok.seq, otherEpoch ? 'epoch' : 'restart', heldEpoch, since) };
    }
    early.forEach(function (m) { self._roomMessage(m, null); });
    entry.replay = null;
    entry.seq = Math.max(entry.seq || 0, ok.seq || 0);
    if (ok.epoch != null) entry.epoch = ok.epoch;
    var pending = entry.gap && entry.gap.epoch === entry.epoch ? this._catchUp(room, entry, entry.gap.upTo)
      : Promise.resolve();
    return { reset: false, done: pending };
  };

  /** A room's stream lost its continuity: adopt the new run at `seq`, tell the app, read its messages up to `seq`. */
  Client.prototype._roomReset = function (room, entry, epoch, seq, reason, previousEpoch, previousSeq) {
    entry.epoch = epoch != null ? epoch : null;
    entry.seq = seq || 0;
    entry.gap = null;
    this._emit('reset', { room: room, epoch: entry.epoch, seq: entry.seq, previousEpoch: previousEpoch,
      previousSeq: previousSeq, reason: reason });
    return entry.seq > 0 ? this._catchUp(room, entry, entry.seq) : Promise.resolve();
  };

  /**
   * Emits the messages of a room's current run up to `upTo` that were not emitted yet (read from history, oldest
   * first), while newer ones are held back, then releases those: the app sees every message once and in order.
   * If the link drops meanwhile, the next re-join tries again (entry.gap).
   */
  Client.prototype._catchUp = function (room, entry, upTo) {
    var self = this;
    var id = ++entry.catchUp;
    entry.gap = { epoch: entry.epoch, upTo: upTo };
    if (!entry.hold) entry.hold = [];
    var from = 0;
    var pages = 0;
    var current = function () { return entry.catchUp === id && self._rooms.get(room) === entry; };
    var release = function () {
      if (!current()) return;
      var held = entry.hold || [];
      var count = entry.count;
      entry.hold = null;
      entry.count = null; // live messages, not recovered ones
      held.forEach(function (m) { self._roomMessage(m, null); });
      entry.count = count;
    };
    var page = function () {
      return self._internal({ type: 'history', room: room, since: from }).then(function (ok) {
        if (!current()) return;
        // yet another run (its reset follows)
        if (ok.epoch != null && entry.epoch != null && ok.epoch !== entry.epoch) return;
        var last = from;
        (ok.messages || []).forEach(function (m) {
          if (m.seq > last) last = m.seq;
          if (m.seq <= upTo) self._caughtUp(entry, m);
        });
        if (last < upTo && last > from && ++pages < MAX_CATCH_UP_PAGES) {
          from = last;
          return page();
        }
        entry.gap = null;
      });
    };
    return page().then(release, function () { release(); });
  };

  /** A message of a new run read by a catch-up: emitted unless this very message was emitted already. */
  Client.prototype._caughtUp = function (entry, message) {
    if (entry.recent.get(message.seq) === fingerprint(message)) return;
    remember(entry, message);
    if (entry.count) entry.count();
    this._emit('message', message, { source: 'recovered' });
  };

  function fingerprint(message) {
    return String(message.from) + '|' + String(message.ts);
  }

  function remember(entry, message) {
    entry.recent.delete(message.seq);
    entry.recent.set(message.seq, fingerprint(message));
    if (entry.recent.size > MAX_RECENT) entry.recent.delete(entry.recent.keys().next().value);
  }

  /** Leaves a room. Resolves at once when offline: the next connection will not join it. */
  Client.prototype.leave = function (room) {
    this._rooms.delete(room);
    if (this.state !== 'connected') return Promise.resolve({ type: 'ok', room: room });
    return this._request({ type: 'leave', room: room }).catch(function (error) {
      if (error.code === 'disconnected' || error.code === 'not_found') return { type: 'ok', room: room };
      throw error;
    });
  };

  /**
   * Publishes to a joined room; resolves with the ok ({room, seq}). Kept across a reconnect and re-sent with the
   * same id, which the server de-duplicates, so it is published once.
   */
  Client.prototype.publish = function (room, body) {
    return this._request({ type: 'publish', room: room, body: body });
  };

  /**
   * A private message to every session of user `to`; resolves with {mid} (1.1: and `seq`, its place in this user's
   * stream). Like publish, re-sent with the same id after a lost link: the server de-duplicates it.
   */
  Client.prototype.send = function (to, body) {
    var self = this;
    var onOk = function (ok) { // as the ok arrives: a message after it in the same batch may need its seq
      self._rememberMid(ok.mid);
      if (typeof ok.seq === 'number' && self._v11 && self._stream) self._streamAdd(ok.seq, null);
    };
    return self._request({ type: 'send', to: to, body: body }, { onOk: onOk }).then(null, function (error) {
      self._checkGap();
      throw error;
    });
  };

  /** The users in a room, cluster-wide: resolves with an array of user ids. */
  Client.prototype.presence = function (room) {
    return this._request({ type: 'presence', room: room }).then(function (ok) { return ok.users; });
  };

  /** Stored messages: resolves with {room, seq, messages}. `options`: since, limit. Emits nothing. */
  Client.prototype.history = function (room, options) {
    var frame = { type: 'history', room: room };
    if (options && options.since != null) frame.since = options.since;
    if (options && options.limit != null) frame.limit = options.limit;
    return this._request(frame);
  };

  /**
   * (1.1) The conversation with `user` from the caller's stream: resolves with {with, messages, seq, epoch}.
   * `options`: since (a seq of the caller's stream), limit. Emits nothing. On a version 1 node it rejects with
   * 'unsupported' without sending anything (such a node would count the request as a protocol error).
   */
  Client.prototype.conversation = function (user, options) {
    var frame = { type: 'history', with: user };
    if (options && options.since != null) frame.since = options.since;
    if (options && options.limit != null) frame.limit = options.limit;
    return this._request(frame, { needs11: true });
  };

  /** The last seq seen in a room (null before the first join completes). */
  Client.prototype.lastSeq = function (room) {
    var entry = this._rooms.get(room);
    return entry ? entry.seq : null;
  };

  /** {seq, epoch} of a room: the last seq emitted and the run it belongs to (epoch null on a version 1 node). */
  Client.prototype.position = function (room) {
    var entry = this._rooms.get(room);
    return entry && entry.seq !== null ? { seq: entry.seq, epoch: entry.epoch } : null;
  };

  /** (1.1) {seq, epoch, acked} of the user's stream (seq null until a message was handled), or null. */
  Client.prototype.userStream = function () {
    var s = this._stream;
    return s ? { seq: s.seq, epoch: s.epoch, acked: s.acked } : null;
  };

  /** The rooms this client is in (or joining). */
  Client.prototype.rooms = function () {
    return Array.from(this._rooms.keys());
  };

  /** Queues (or sends) a user request; it is written once the link is connected. */
  Client.prototype._request = function (frame, extra) {
    var self = this;
    if (self._closedByUser) return Promise.reject(ParleyError('closed', 'the client is closed'));
    return new Promise(function (resolve, reject) {
      frame.id = self._idPrefix + '-' + self._nextId++;
      self._send(Object.assign({ frame: frame, resolve: resolve, reject: reject, timer: null }, extra));
    });
  };

  /** Writes a request now if the link is connected, else queues it for the next connection. */
  Client.prototype._send = function (request) {
    if (this.state === 'connected') {
      this._write(request);
    } else {
      this._outbox.push(request);
    }
  };

  /**
   * `unavailable` means the cluster could not serve the request just now (a node died under it, a partition is
   * moving): a retryable request is sent again with the same id, after the reconnect backoff, so the server's
   * de-duplication keeps a publish or send from being done twice. Returns false once the retries are used up.
   */
  Client.prototype._retryUnavailable = function (request, frame) {
    var self = this;
    if (frame.code !== 'unavailable' || !RETRYABLE[request.frame.type]) return false;
    request.retries = (request.retries || 0) + 1;
    if (request.retries > self.options.unavailableRetries) return false;
    setTimeout(function () {
      if (self._closedByUser) {
        request.reject(ParleyError('closed', 'the client is closed'));
      } else {
        self._send(request);
      }
    }, backoffDelay(self.options.backoff, request.retries - 1));
    return true;
  };

  /** Writes a request on the current link and arms its timeout. */
  Client.prototype._write = function (request) {
    var self = this;
    var id = request.frame.id;
    if (request.needs11 && !self._v11) {
      request.reject(ParleyError('unsupported', request.frame.type + ' with these fields needs a protocol 1.1 node'));
      return;
    }
    self._pending.set(id, request);
    request.timer = setTimeout(function () {
      if (self._pending.get(id) !== request) return;
      self._pending.delete(id);
      request.reject(ParleyError('timeout', request.frame.type + ' got no reply within '
        + self.options.requestTimeoutMs + ' ms'));
      if (request.onTimeout) request.onTimeout();
    }, self.options.requestTimeoutMs);
    try {
      self._link.send(JSON.stringify(request.frame));
    } catch (e) {
      // the socket is closing: its close handler re-queues or rejects this request
    }
  };

  /** A request of the client's own (auth, re-join, ping) on one link, bypassing the outbox. */
  Client.prototype._internal = function (frame, onTimeout, onOk) {
    var self = this;
    return new Promise(function (resolve, reject) {
      frame.id = self._idPrefix + '-' + self._nextId++;
      self._write({ frame: frame, resolve: resolve, reject: reject, timer: null, internal: true, onTimeout: onTimeout,
        onOk: onOk });
    });
  };

  Client.prototype._rejectAll = function (code, message) {
    var all = Array.from(this._pending.values()).concat(this._outbox);
    this._pending.clear();
    this._outbox = [];
    all.forEach(function (request) {
      clearTimeout(request.timer);
      request.reject(ParleyError(code, message));
    });
  };

  // --- the connection ---------------------------------------------------------------------------------------------

  Client.prototype._dial = function () {
    var self = this;
    var generation = ++self._generation;
    var url = self.urls[self._urlIndex % self.urls.length];
    self.url = url;
    self._serverDisconnect = null;
    self._setState(self._everConnected ? 'reconnecting' : 'connecting', { url: url, attempt: self._attempt });

    var token;
    Promise.resolve()
      .then(function () { return self._getToken(); })
      .then(function (t) {
        token = t;
        if (!token) throw new Error('getToken returned no token');
        return self.options.transport === 'websocket' ? null
          : loadSockJS(self.options.SockJS, self.options.sockjsUrl);
      })
      .then(function (SockJSImpl) {
        if (generation !== self._generation) return;
        var link = {
          onopen: function () { if (generation === self._generation) self._onOpen(generation, token); },
          onmessage: function (text) { if (generation === self._generation) self._onFrame(text); },
          onclose: function (code, reason) { if (generation === self._generation) self._onClose(code, reason); }
        };
        self._link = SockJSImpl
          ? openSockJS(SockJSImpl, url, link, self.options.sockjsOptions)
          : openWebSocket(self.options.WebSocket || root.WebSocket, url, link);
        // a socket that neither opens nor fails (a black-holed node) is given up after one request timeout
        self._connectTimer = setTimeout(function () {
          if (generation === self._generation && self.state !== 'connected') self._lost(4000, 'connect timeout');
        }, self.options.requestTimeoutMs);
      })
      .catch(function (error) {
        if (generation !== self._generation) return;
        self._emit('error', { code: 'connect_failed', message: String(error && error.message || error) });
        self._lost(4000, 'connect failed');
      });
  };

  /** Socket open: auth, re-join every room with since, then send what waited, then 'connected'. */
  Client.prototype._onOpen = function (generation, token) {
    var self = this;
    var dropped = function () { self._lost(4000, 'handshake timeout'); };
    var auth = { type: 'auth', token: token };
    var s = self._stream;
    if (s && s.seq !== null) { // a position from this client's life: everything after it, not just what is owed
      auth.since = s.seq;
      if (s.epoch != null) auth.epoch = s.epoch;
    }
    var onAuth = function (ok) { // as it arrives: the frames after it (owed messages) depend on it
      if (generation !== self._generation) return;
      self.user = ok.user;
      self.session = ok.session;
      self.node = ok.node;
      self._authenticated(ok, auth);
      self._scheduleRefresh(ok.exp, generation);
    };
    self._internal(auth, dropped, onAuth)
      .then(function () {
        if (generation !== self._generation) return [];
        var rooms = Array.from(self._rooms.entries()).filter(function (e) { return e[1].seq !== null; });
        return Promise.all(rooms.map(function (e) { return self._rejoin(e[0], e[1], dropped); }));
      })
      .then(function () {
        if (generation !== self._generation) return;
        clearTimeout(self._connectTimer);
        self._attempt = 0;
        self._everConnected = true;
        var waiting = self._outbox;
        self._outbox = [];
        waiting.forEach(function (request) { self._write(request); }); // in order, before anything new
        self._setState('connected', { url: self.url, user: self.user, session: self.session, node: self.node });
        self._schedulePing(generation);
      })
      .catch(function (error) {
        if (generation !== self._generation) return;
        // unauthorized closes the socket (4001) by itself; anything else: start over on another node
        if (error.code !== 'unauthorized') self._lost(4000, 'handshake failed: ' + error.code);
      });
  };

  /** (1.1) Before the session's token expires, a fresh one from getToken re-authenticates the same connection. */
  Client.prototype._scheduleRefresh = function (exp, generation) {
    var self = this;
    clearTimeout(self._refreshTimer);
    if (!exp || !self.options.getToken || !self._v11) return;
    var lifetime = exp * 1000 - Date.now();
    var delay = Math.max(1000, lifetime - Math.min(self.options.refreshMarginMs, lifetime / 5));
    self._refreshTimer = setTimeout(function () {
      if (generation !== self._generation) return;
      Promise.resolve()
        .then(function () { return self._getToken(); })
        .then(function (token) { return self._internal({ type: 'auth', token: token }); })
        .then(function (ok) { if (generation === self._generation) self._scheduleRefresh(ok.exp, generation); })
        .catch(function (error) {
          self._emit('error', { code: 'refresh_failed', message: String(error && error.message || error) });
        });
    }, delay);
  };

  /** The auth ok: which protocol the node speaks, and (1.1) where the user's stream stands. */
  Client.prototype._authenticated = function (ok, auth) {
    this._authed = true;
    this._v11 = typeof ok.seq === 'number';
    this.protocol = this._v11 ? '1.1' : '1';
    if (!this._v11) return;
    var s = this._stream;
    if (!s) {
      s = this._stream = { epoch: null, seq: null, acked: null, authSeq: 0, held: new Map(), own: new Set() };
    }
    s.authSeq = ok.seq;
    var otherEpoch = ok.epoch != null && s.epoch != null && ok.epoch !== s.epoch;
    if (auth.since != null && (ok.recovered === false || otherEpoch)) {
      // the position held belongs to a run that no longer exists: start over in the new one (what follows is owed)
      var previousEpoch = s.epoch;
      var previousSeq = s.seq;
      this._flushHeld();
      s.epoch = ok.epoch != null ? ok.epoch : null;
      s.seq = null;
      s.acked = null;
      s.own.clear();
      this._emit('reset', { user: ok.user, epoch: s.epoch, seq: ok.seq, previousEpoch: previousEpoch,
        previousSeq: previousSeq, reason: 'epoch' });
    } else if (auth.since == null && otherEpoch) {
      s.seq = null;
      s.own.clear();
    }
    if (ok.epoch != null) s.epoch = ok.epoch;
    if (s.seq !== null) this._flushAck(true); // an ack lost with the last link
  };

  Client.prototype._rejoin = function (room, entry, onTimeout) {
    var self = this;
    var since = entry.seq;
    var heldEpoch = entry.epoch;
    var recovered = 0;
    entry.replay = 'recovered';
    entry.count = function () { recovered++; };
    var frame = { type: 'join', room: room, since: since };
    if (heldEpoch != null) frame.epoch = heldEpoch;
    entry.early = [];
    var joined = null;
    var onOk = function (ok) { joined = self._joined(room, entry, since, heldEpoch, ok); };
    return self._internal(frame, onTimeout, onOk).then(function (ok) {
      return joined.done.then(function () {
        entry.count = null;
        self._emit('recovery', { room: room, recovered: ok.recovered !== false && !joined.reset, count: recovered,
          since: since, seq: entry.seq, epoch: entry.epoch, reset: joined.reset });
      });
    }, function (error) {
      entry.replay = null;
      entry.count = null;
      entry.early = null;
      if (error.code === 'forbidden' || error.code === 'bad_request') {
        self._rooms.delete(room);
        self._emit('error', { code: error.code, message: 'could not re-join ' + room + ': ' + error.message, room: room });
        return;
      }
      throw error;
    });
  };

  Client.prototype._schedulePing = function (generation) {
    var self = this;
    if (!self.options.pingIntervalMs) return;
    clearTimeout(self._pingTimer);
    self._pingTimer = setTimeout(function () {
      if (generation !== self._generation || self.state !== 'connected') return;
      self._internal({ type: 'ping' }, function () { self._lost(4000, 'ping timeout'); })
        .then(function () { self._schedulePing(generation); }, function () { /* handled by onTimeout / close */ });
    }, self.options.pingIntervalMs);
  };

  Client.prototype._onFrame = function (text) {
    var frame;
    try {
      frame = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    var request = frame.id != null ? this._pending.get(frame.id) : null;
    if (request && (frame.type === 'ok' || frame.type === 'error' || frame.type === 'pong')) {
      this._pending.delete(frame.id);
      clearTimeout(request.timer);
      if (frame.type === 'error') {
        if (!this._retryUnavailable(request, frame)) request.reject(ParleyError(frame.code, frame.message, frame));
      } else {
        if (request.onOk && frame.type === 'ok') request.onOk(frame);
        request.resolve(frame);
      }
      return;
    }
    switch (frame.type) {
      case 'message':
        if (frame.room != null) this._roomMessage(frame, null);
        else this._privateMessage(frame);
        break;
      case 'presence':
        this._emit('presence', frame);
        break;
      case 'reset':
        if (frame.room != null) this._resetFrame(frame);
        else if (frame.user != null) this._userReset(frame);
        break;
      case 'error':
        this._emit('error', frame);
        break;
      case 'disconnect':
        this._serverDisconnect = { code: frame.code, reason: frame.reason };
        break;
      default:
        break; // a late reply (timed out) or a frame of a newer protocol
    }
  };

  /** Emits a room message once, in order: anything at or below the last seq seen in its room is a duplicate. */
  Client.prototype._roomMessage = function (message, source) {
    var entry = this._rooms.get(message.room);
    if (!entry) return; // left meanwhile
    if (entry.early && source === null) { // before the ok of a join with since: which run is it from?
      entry.early.push(message);
      return;
    }
    if (entry.hold && source === null) { // catching up with a new run: after its older messages
      entry.hold.push(message);
      return;
    }
    if (entry.seq !== null && message.seq <= entry.seq) return;
    entry.seq = message.seq;
    remember(entry, message);
    if (entry.count) entry.count();
    this._emit('message', message, { source: source || entry.replay || 'live' });
  };

  /** (1.1) `reset` of a room: its stream lost continuity; go on from the frame's seq in the new epoch. */
  Client.prototype._resetFrame = function (frame) {
    var entry = this._rooms.get(frame.room);
    if (!entry || entry.seq === null) return;
    if (frame.epoch != null && frame.epoch === entry.epoch && frame.seq === entry.seq) return; // nothing new
    this._roomReset(frame.room, entry, frame.epoch, frame.seq, 'reset', entry.epoch, entry.seq);
  };

  /**
   * A private message. On a 1.1 node it carries `seq`, its place in this user's stream: emitted in that order, once
   * (by seq and by mid), and acknowledged after the handler ran. Without seq (version 1): once per mid.
   */
  Client.prototype._privateMessage = function (message) {
    var s = this._stream;
    if (!this._v11 || !s || typeof message.seq !== 'number') {
      if (message.mid != null) {
        if (this._seenMids.has(message.mid)) return;
        this._rememberMid(message.mid);
      }
      this._emit('private', message, { source: 'live' });
      return;
    }
    if (s.seq !== null && message.seq <= s.seq) {
      // at or below the position: a duplicate, unless its mid was never seen (a run the client was not told of yet)
      if (message.mid != null && !this._seenMids.has(message.mid)) this._deliverPrivate(message);
      return;
    }
    this._streamAdd(message.seq, message);
  };

  /** Adds a seq of the user's stream: a message to deliver, or (message null) the client's own send. */
  Client.prototype._streamAdd = function (seq, message) {
    var s = this._stream;
    if ((s.seq !== null && seq <= s.seq) || s.held.has(seq) || s.own.has(seq)) return;
    if (message) {
      if (s.seq === null) s.seq = seq - 1; // the first message since a fresh auth: what came before is not owed
      s.held.set(seq, message);
    } else {
      s.own.add(seq);
    }
    this._drainStream();
  };

  /** Delivers the user's stream from its position on, as long as the next seq is there. */
  Client.prototype._drainStream = function () {
    var s = this._stream;
    var advanced = 0;
    while (s.seq !== null) {
      var next = s.seq + 1;
      if (s.held.has(next)) {
        var message = s.held.get(next);
        s.held.delete(next);
        s.seq = next;
        this._deliverPrivate(message);
        advanced++;
      } else if (s.own.has(next)) {
        s.own.delete(next);
        s.seq = next;
        advanced++;
      } else {
        break;
      }
    }
    if (s.seq !== null) s.own.forEach(function (seq) { if (seq <= s.seq) s.own.delete(seq); });
    if (advanced) this._ackSoon(advanced);
    this._checkGap();
  };

  Client.prototype._deliverPrivate = function (message) {
    if (message.mid != null) {
      if (this._seenMids.has(message.mid)) return; // e.g. this session's own send, sent again after an auth
      this._rememberMid(message.mid);
    }
    var s = this._stream;
    var replayed = s && typeof message.seq === 'number' && message.seq <= s.authSeq;
    this._emit('private', message, { source: replayed ? 'recovered' : 'live' });
  };

  /**
   * Messages wait for a missing earlier seq only while it can still come: the ok of a `send` of this client is
   * on its way (its seq fills the gap). With none in flight, or after streamGapMs, they are delivered anyway.
   */
  Client.prototype._checkGap = function () {
    var self = this;
    var s = self._stream;
    var sending = Array.from(self._pending.values()).concat(self._outbox)
      .some(function (request) { return request.frame.type === 'send'; });
    if (!s || s.held.size === 0 || !sending) {
      clearTimeout(self._gapTimer);
      self._gapTimer = null;
      if (s && s.held.size > 0) self._skipGap();
      return;
    }
    if (!self._gapTimer) { // the first deadline holds: a steady flow of messages does not postpone it
      self._gapTimer = setTimeout(function () { self._gapTimer = null; self._skipGap(); }, self.options.streamGapMs);
    }
  };

  Client.prototype._skipGap = function () {
    var s = this._stream;
    if (!s || s.held.size === 0) return;
    var first = Math.min.apply(null, Array.from(s.held.keys()));
    s.seq = first - 1;
    this._drainStream();
  };

  /** Delivers every held private message in seq order (before a reset of the stream: they are real messages). */
  Client.prototype._flushHeld = function () {
    var self = this;
    var s = self._stream;
    var seqs = Array.from(s.held.keys()).sort(function (a, b) { return a - b; });
    var held = seqs.map(function (seq) { return s.held.get(seq); });
    s.held.clear();
    held.forEach(function (message) { self._deliverPrivate(message); });
  };

  /** (1.1) `reset` of the user's stream: go on from the frame's seq in the new epoch. */
  Client.prototype._userReset = function (frame) {
    var s = this._stream;
    if (!s) return;
    if (frame.epoch != null && frame.epoch === s.epoch && frame.seq === s.seq) return;
    var previousEpoch = s.epoch;
    var previousSeq = s.seq;
    this._flushHeld();
    s.epoch = frame.epoch != null ? frame.epoch : null;
    s.seq = typeof frame.seq === 'number' ? frame.seq : null;
    s.acked = s.seq;
    s.own.clear();
    this._emit('reset', { user: frame.user, epoch: s.epoch, seq: s.seq, previousEpoch: previousEpoch,
      previousSeq: previousSeq, reason: 'reset' });
  };

  /** Acknowledges the user's stream soon: at most every ackDelayMs, at once after ackBatch messages. */
  Client.prototype._ackSoon = function (delivered) {
    var self = this;
    var s = self._stream;
    s.unacked = (s.unacked || 0) + delivered;
    if (s.unacked >= self.options.ackBatch) {
      self._flushAck();
    } else if (!self._ackTimer) {
      self._ackTimer = setTimeout(function () { self._ackTimer = null; self._flushAck(); }, self.options.ackDelayMs);
    }
  };

  /** Sends `ack` with the stream's position, on an authenticated link to a 1.1 node (`force`: even if sent before). */
  Client.prototype._flushAck = function (force) {
    var s = this._stream;
    clearTimeout(this._ackTimer);
    this._ackTimer = null;
    if (!s || s.seq === null || !this._v11 || !this._authed || !this._link) return;
    if (!force && s.acked !== null && s.seq <= s.acked) return;
    try {
      this._link.send(JSON.stringify({ type: 'ack', seq: s.seq }));
      s.acked = s.seq;
      s.unacked = 0;
    } catch (e) {
      // the socket is closing: the next auth sends it
    }
  };

  Client.prototype._rememberMid = function (mid) {
    if (mid == null) return;
    this._seenMids.add(mid);
    if (this._seenMids.size > MAX_MIDS) this._seenMids.delete(this._seenMids.values().next().value);
  };

  Client.prototype._dropLink = function (code, reason) {
    clearTimeout(this._pingTimer);
    clearTimeout(this._connectTimer);
    this._generation++;
    this._authed = false;
    if (this._link) {
      try { this._link.close(code, reason); } catch (e) { /* already closed */ }
      this._link = null;
    }
  };

  Client.prototype._onClose = function (code, reason) {
    if (this._serverDisconnect) { // SockJS cannot carry close codes: parley says them in a frame first
      code = this._serverDisconnect.code;
      reason = this._serverDisconnect.reason;
    }
    this._lost(code, reason);
  };

  /** The link is gone (closed, timed out, failed): re-queue or reject what was in flight, then reconnect or stop. */
  Client.prototype._lost = function (code, reason) {
    var self = this;
    var wasConnected = self.state === 'connected';
    self._dropLink(code >= 4000 && code < 5000 ? code : 1000, 'reconnecting');
    var inFlight = Array.from(self._pending.values()).sort(function (a, b) { return idNumber(a) - idNumber(b); });
    self._pending.clear();
    var retry = [];
    inFlight.forEach(function (request) {
      clearTimeout(request.timer);
      if (request.internal) {
        request.reject(ParleyError('disconnected', 'connection lost'));
      } else if (RETRYABLE[request.frame.type]) {
        retry.push(request);
      } else {
        request.reject(ParleyError('disconnected', 'connection lost before the reply to ' + request.frame.type
          + ': it may or may not have taken effect'));
      }
    });
    self._outbox = retry.concat(self._outbox);
    // what came before a re-join's ok is dropped with the link: the next re-join asks for it again
    self._rooms.forEach(function (entry) { entry.replay = null; entry.count = null; entry.early = null; });
    if (self._closedByUser) return;

    var info = { code: code, reason: reason, url: self.url };
    if ((code === 4001 || code === 4002) && !self.options.getToken) { // a fixed token refused or expired stays so
      self._closedByUser = true;
      var why = code === 4002 ? 'expired' : 'unauthorized';
      self._rejectAll(why, reason || why);
      self._emit('error', { code: why, message: reason || why });
      self._setState('disconnected', info);
      return;
    }
    if (wasConnected) self._emit('disconnect', info);
    self._urlIndex++; // the next node in the list
    var delay = code === 1001 && self._attempt === 0 ? 0 : backoffDelay(self.options.backoff, self._attempt);
    self._attempt++;
    info.delayMs = delay;
    info.attempt = self._attempt;
    self._setState('reconnecting', info);
    clearTimeout(self._retryTimer);
    self._retryTimer = setTimeout(function () { self._dial(); }, delay);
  };

  function idNumber(request) {
    return Number(String(request.frame.id).split('-').pop());
  }

  /** Exponential backoff with "equal jitter": half the step fixed, half random, capped at maxMs. */
  function backoffDelay(backoff, attempt) {
    var step = Math.min(backoff.maxMs, backoff.minMs * Math.pow(2, Math.min(attempt, 30)));
    return Math.round(step / 2 + Math.random() * step / 2);
  }

  /** Creates a client and starts connecting. */
  function connect(options) {
    return new Client(options).connect();
  }

  return {
    connect: connect,
    Client: Client,
    ParleyError: ParleyError,
    backoffDelay: backoffDelay,
    defaults: DEFAULTS, // shared by clients created afterwards
    VERSION: VERSION
  };
});
