/*!
 * parley.js: the browser client for parley (wire protocol version 1, PROTOCOL.md).
 * A classic script that defines `window.Parley`; `parley.mjs` re-exports it as an ES module.
 * API: the README of the parley repository, "Browser client".
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

  var VERSION = '1.0.0';

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
    backoff: { minMs: 250, maxMs: 10000 }
  };

  /** A rejected request: `code` is a protocol error code, or 'timeout', 'disconnected', 'closed'. */
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

    this._handlers = {};
    this._rooms = new Map();      // room -> { seq: last seq seen or null, replay: null | 'recovered' | 'history' }
    this._pending = new Map();    // id -> request (sent on the current link, waiting for a reply)
    this._outbox = [];            // requests waiting for a connected link, in order
    this._seenMids = new Set();   // private-message ids already emitted (bounded)
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
    this._closedByUser = true;
    clearTimeout(this._retryTimer);
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
      entry = { seq: null, replay: null };
      self._rooms.set(room, entry);
    }
    var limit = options && options.history;
    var before = limit ? self.history(room, { limit: limit }) : Promise.resolve(null);
    return before.then(function (page) {
      var frame = { type: 'join', room: room };
      if (page) {
        page.messages.forEach(function (m) { self._roomMessage(m, 'history'); });
        frame.since = Math.max(entry.seq || 0, page.seq);
        entry.seq = frame.since;
        entry.replay = 'history';
      }
      return self._request(frame);
    }).then(function (ok) {
      entry.replay = null;
      entry.seq = Math.max(entry.seq || 0, ok.seq);
      return ok;
    }, function (error) {
      if (self._rooms.get(room) === entry && entry.seq === null) self._rooms.delete(room);
      entry.replay = null;
      throw error;
    });
  };

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
   * A private message to every session of user `to`; resolves with {mid}. Not re-sent after a reconnect (the server
   * does not de-duplicate it): a loss of the link before the reply rejects with 'disconnected'.
   */
  Client.prototype.send = function (to, body) {
    var self = this;
    return self._request({ type: 'send', to: to, body: body }).then(function (ok) {
      self._rememberMid(ok.mid);
      return ok;
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

  /** The last seq seen in a room (null before the first join completes). */
  Client.prototype.lastSeq = function (room) {
    var entry = this._rooms.get(room);
    return entry ? entry.seq : null;
  };

  /** The rooms this client is in (or joining). */
  Client.prototype.rooms = function () {
    return Array.from(this._rooms.keys());
  };

  /** Queues (or sends) a user request; it is written once the link is connected. */
  Client.prototype._request = function (frame) {
    var self = this;
    if (self._closedByUser) return Promise.reject(ParleyError('closed', 'the client is closed'));
    return new Promise(function (resolve, reject) {
      frame.id = self._idPrefix + '-' + self._nextId++;
      self._send({ frame: frame, resolve: resolve, reject: reject, timer: null });
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
  Client.prototype._internal = function (frame, onTimeout) {
    var self = this;
    return new Promise(function (resolve, reject) {
      frame.id = self._idPrefix + '-' + self._nextId++;
      self._write({ frame: frame, resolve: resolve, reject: reject, timer: null, internal: true, onTimeout: onTimeout });
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
    self._internal({ type: 'auth', token: token }, dropped)
      .then(function (ok) {
        self.user = ok.user;
        self.session = ok.session;
        self.node = ok.node;
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

  Client.prototype._rejoin = function (room, entry, onTimeout) {
    var self = this;
    var since = entry.seq;
    var recovered = 0;
    entry.replay = 'recovered';
    entry.count = function () { recovered++; };
    return self._internal({ type: 'join', room: room, since: since }, onTimeout).then(function (ok) {
      entry.replay = null;
      entry.count = null;
      entry.seq = Math.max(entry.seq, ok.seq);
      self._emit('recovery', { room: room, recovered: ok.recovered !== false, count: recovered, since: since,
        seq: entry.seq });
    }, function (error) {
      entry.replay = null;
      entry.count = null;
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
    if (entry.seq !== null && message.seq <= entry.seq) return;
    entry.seq = message.seq;
    if (entry.count) entry.count();
    this._emit('message', message, { source: source || entry.replay || 'live' });
  };

  Client.prototype._privateMessage = function (message) {
    if (message.mid != null) {
      if (this._seenMids.has(message.mid)) return;
      this._rememberMid(message.mid);
    }
    this._emit('private', message);
  };

  Client.prototype._rememberMid = function (mid) {
    this._seenMids.add(mid);
    if (this._seenMids.size > 1000) this._seenMids.delete(this._seenMids.values().next().value);
  };

  Client.prototype._dropLink = function (code, reason) {
    clearTimeout(this._pingTimer);
    clearTimeout(this._connectTimer);
    this._generation++;
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
    self._rooms.forEach(function (entry) { entry.replay = null; entry.count = null; });
    if (self._closedByUser) return;

    var info = { code: code, reason: reason, url: self.url };
    if (code === 4001 && !self.options.getToken) { // a fixed token that the server refuses will not get better
      self._closedByUser = true;
      self._rejectAll('unauthorized', reason || 'unauthorized');
      self._emit('error', { code: 'unauthorized', message: reason || 'unauthorized' });
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
