// The parley demo chat: sign in (demo token endpoint), rooms, live presence, private messages, on parley.js.
// Protocol 1.1: rooms go on across a node that lost their history (the `reset` event, the new run's messages are
// recovered); private conversations come back from history (`conversation`) after a reload or a new sign-in.
(function () {
  'use strict';

  var params = new URLSearchParams(location.search);
  var NODES = (params.get('nodes') || location.origin).split(',').map(function (s) { return s.trim(); })
    .filter(Boolean);
  var TRANSPORT = params.get('transport') === 'websocket' ? 'websocket' : 'sockjs';
  var BACKOFF_MIN = Number(params.get('backoffMin')) || 250;
  var BACKOFF_MAX = Math.max(BACKOFF_MIN, Number(params.get('backoffMax')) || 10000);
  var HISTORY = 50;
  var DEFAULT_ROOM = 'lobby';
  var NAME = /^[A-Za-z0-9._:-]{1,64}$/;

  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    login: $('login-view'), loginForm: $('login-form'), loginName: $('login-name'), loginError: $('login-error'),
    app: $('app'), title: $('chat-title'), sub: $('chat-sub'), conn: $('conn'), meName: $('me-name'),
    meAvatar: $('me-avatar'), roomList: $('room-list'), dmList: $('dm-list'), newRoomForm: $('new-room-form'),
    newRoom: $('new-room'), messages: $('messages'), composer: $('composer'), input: $('composer-input'),
    people: $('people'), sidebar: $('sidebar'), peopleRoom: $('people-room'), presence: $('presence-list'),
    peopleCount: $('people-count'), backdrop: $('backdrop')
  };

  var app = {
    me: null,
    client: null,
    token: null,
    rooms: new Map(),   // room -> { messages: [], users: Set, unread: 0 }
    dms: new Map(),     // peer -> { messages: [], unread: 0, loaded: false }
    conversationsLoaded: false, // the stored conversations were read from history (on the first 1.1 connection)
    view: { kind: 'room', name: DEFAULT_ROOM },
    events: []          // connection events with times, read by the browser test
  };
  window.parleyDemo = app;

  // --- sign in and tokens -----------------------------------------------------------------------------------------

  /** A token from the demo endpoint of the first node that answers (this page's node first). */
  function fetchToken(user) {
    var candidates = [location.origin].concat(NODES.filter(function (n) { return n !== location.origin; }));
    var lastError = null;
    return candidates.reduce(function (chain, node) {
      return chain.then(function (token) {
        if (token) return token;
        return fetch(node + '/dev/token', {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: user })
        }).then(function (res) {
          if (res.status === 404) throw new Error('this node has no demo token endpoint (auth.devTokenEndpoint)');
          if (!res.ok) throw new Error('token request failed: HTTP ' + res.status);
          return res.json();
        }).then(function (json) { return json.token; }, function (e) { lastError = e; return null; });
      });
    }, Promise.resolve(null)).then(function (token) {
      if (!token) throw lastError || new Error('no node answered');
      return token;
    });
  }

  function expiresAt(token) {
    try {
      var payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return payload.exp ? payload.exp * 1000 : Infinity;
    } catch (e) {
      return 0;
    }
  }

  /** Called by the client on every (re)connect: the cached token while it has a minute left, else a new one. */
  function getToken() {
    if (app.token && expiresAt(app.token) - Date.now() > 60000) return Promise.resolve(app.token);
    return fetchToken(app.me).then(function (token) { app.token = token; return token; });
  }

  ui.loginForm.addEventListener('submit', function (e) {
    e.preventDefault();
    var user = ui.loginName.value.trim();
    if (!NAME.test(user)) return showLoginError('Use 1 to 64 letters, digits or . _ : -');
    ui.loginError.hidden = true;
    app.me = user;
    getToken().then(function () { start(user); }, function (error) { showLoginError(error.message); });
  });

  function showLoginError(message) {
    ui.loginError.textContent = message;
    ui.loginError.hidden = false;
  }

  $('sign-out').addEventListener('click', function () {
    if (app.client) app.client.close();
    sessionStorage.removeItem('parley.user');
    sessionStorage.removeItem('parley.rooms');
    location.reload();
  });

  // --- the connection ---------------------------------------------------------------------------------------------

  function start(user) {
    sessionStorage.setItem('parley.user', user);
    ui.login.hidden = true;
    ui.app.hidden = false;
    ui.meName.textContent = user;
    paintAvatar(ui.meAvatar, user);

    var client = app.client = Parley.connect({
      urls: NODES, transport: TRANSPORT, getToken: getToken, backoff: { minMs: BACKOFF_MIN, maxMs: BACKOFF_MAX }
    });
    client.on('state', function (state, info) {
      // dial: a new socket is being opened (else: the old one was just lost and a retry is scheduled)
      app.events.push({ t: performance.now(), type: 'state', state: state, url: info.url || null, code: info.code,
        dial: info.code === undefined });
      ui.conn.dataset.state = state;
      ui.conn.textContent = state === 'connected' ? 'connected' : state === 'reconnecting'
        ? 'reconnecting' + (info.attempt > 1 ? ' (' + info.attempt + ')' : '') : state;
      ui.conn.title = info.url ? 'node ' + info.url : '';
      if (state === 'connected' && !app.conversationsLoaded && client.protocol === '1.1') {
        app.conversationsLoaded = true;
        loadConversations(storedPeers());
      }
    });
    client.on('message', onRoomMessage);
    client.on('private', onPrivateMessage);
    client.on('presence', onPresence);
    client.on('recovery', onRecovery);
    client.on('reset', onReset);
    client.on('disconnect', function (info) {
      notice(app.view, 'warn', 'Connection lost' + (info.reason ? ' (' + info.reason + ')' : '') + '. Reconnecting\u2026');
    });
    client.on('error', function (error) {
      notice(app.view, 'bad', (error.code || 'error') + ': ' + (error.message || ''));
    });

    var saved = JSON.parse(sessionStorage.getItem('parley.rooms') || '[]');
    [DEFAULT_ROOM].concat(saved).forEach(function (room) { if (!app.rooms.has(room)) joinRoom(room, false); });
    show({ kind: 'room', name: DEFAULT_ROOM });
  }

  function joinRoom(room, select) {
    if (!app.rooms.has(room)) {
      app.rooms.set(room, { messages: [], users: new Set(), unread: 0 });
      saveRooms();
    }
    if (select) show({ kind: 'room', name: room });
    renderRooms();
    return app.client.join(room, { history: HISTORY })
      .then(function () { return refreshPresence(room); })
      .catch(function (error) {
        notice({ kind: 'room', name: room }, 'bad', 'could not join ' + room + ': ' + error.message);
      });
  }

  function leaveRoom(room) {
    app.client.leave(room);
    app.rooms.delete(room);
    saveRooms();
    show({ kind: 'room', name: DEFAULT_ROOM });
  }

  function saveRooms() {
    var rooms = Array.from(app.rooms.keys()).filter(function (r) { return r !== DEFAULT_ROOM; });
    sessionStorage.setItem('parley.rooms', JSON.stringify(rooms));
  }

  function refreshPresence(room) {
    return app.client.presence(room).then(function (users) {
      var state = app.rooms.get(room);
      if (!state) return;
      state.users = new Set(users);
      if (isView('room', room)) renderPresence();
    }, function () { /* shown when the connection settles */ });
  }

  function onRoomMessage(message, info) {
    var state = app.rooms.get(message.room);
    if (!state) return;
    var item = { from: message.from, body: message.body, ts: message.ts, seq: message.seq, source: info.source };
    state.messages.push(item);
    if (state.messages.length > 500) state.messages.shift();
    if (isView('room', message.room)) {
      appendMessage(item);
    } else if (info.source !== 'history') {
      state.unread++;
      renderRooms();
    }
  }

  function onPrivateMessage(message) {
    var peer = message.from === app.me ? message.to : message.from;
    addDm(peer, dmItem(message));
    // a conversation new on this page: what came before this message is in history
    if (!app.dms.get(peer).loaded && app.client.protocol === '1.1') loadConversation(peer);
  }

  function dmItem(message) {
    return { from: message.from, to: message.to, body: message.body, ts: message.ts, mid: message.mid,
      seq: message.seq };
  }

  function dmState(peer) {
    var dm = app.dms.get(peer);
    if (!dm) app.dms.set(peer, dm = { messages: [], unread: 0, loaded: false });
    return dm;
  }

  /** A private message shown once: it may come live, again after a reconnect, and from history. */
  function addDm(peer, item) {
    var dm = dmState(peer);
    if (item.mid != null && dm.messages.some(function (m) { return m.mid === item.mid; })) return;
    dm.messages.push(item);
    rememberPeer(peer);
    if (isView('dm', peer)) {
      appendMessage(item);
    } else {
      if (item.from !== app.me) dm.unread++;
      renderDms();
    }
  }

  // --- private conversations from history (protocol 1.1) ---------------------------------------------------------

  /** The peers of this user's conversations, kept in this browser so that a reload or a new sign-in finds them. */
  function storedPeers() {
    try {
      return JSON.parse(localStorage.getItem('parley.peers.' + app.me) || '[]').filter(function (p) {
        return typeof p === 'string' && NAME.test(p);
      });
    } catch (e) {
      return [];
    }
  }

  function rememberPeer(peer) {
    var peers = storedPeers();
    if (peers.indexOf(peer) >= 0) return;
    peers.push(peer);
    try { localStorage.setItem('parley.peers.' + app.me, JSON.stringify(peers.slice(-100))); } catch (e) { /* full */ }
  }

  function loadConversations(peers) {
    peers.forEach(function (peer) { loadConversation(peer); });
  }

  /** Reads the conversation with `peer` (its last HISTORY messages) and merges it with what is shown, by mid. */
  function loadConversation(peer) {
    var dm = dmState(peer);
    dm.loaded = true;
    return app.client.conversation(peer, { limit: HISTORY }).then(function (page) {
      var known = new Map();
      dm.messages.forEach(function (m) { if (m.mid != null) known.set(m.mid, m); });
      var added = 0;
      page.messages.forEach(function (message) {
        var have = known.get(message.mid);
        if (have) { // one of ours shown when sent: take the node's time and seq
          have.ts = message.ts;
          have.seq = message.seq;
        } else {
          dm.messages.push(dmItem(message));
          added++;
        }
      });
      dm.messages.sort(function (a, b) { return (a.ts || 0) - (b.ts || 0); });
      if (dm.messages.length === 0) {
        if (!isView('dm', peer)) app.dms.delete(peer); // nothing to show: no entry in the list
      } else {
        rememberPeer(peer);
      }
      app.events.push({ t: performance.now(), type: 'conversation', peer: peer, count: page.messages.length,
        added: added });
      if (isView('dm', peer)) show(app.view); else renderDms();
    }, function (error) {
      dm.loaded = false;
      if (error.code !== 'unsupported' && error.code !== 'closed') {
        notice({ kind: 'dm', name: peer }, 'bad', 'could not load the conversation: ' + error.message);
      }
    });
  }

  function onPresence(event) {
    var state = app.rooms.get(event.room);
    if (!state) return;
    if (event.state === 'join') state.users.add(event.user); else state.users.delete(event.user);
    if (isView('room', event.room)) renderPresence();
  }

  function onRecovery(event) {
    app.events.push({ t: performance.now(), type: 'recovery', room: event.room, recovered: event.recovered,
      count: event.count, reset: !!event.reset });
    var view = { kind: 'room', name: event.room };
    if (event.reset) {
      notice(view, '', 'Reconnected: ' + event.count + ' message' + (event.count === 1 ? '' : 's')
        + ' since the restart recovered' + (event.count ? ' (marked in yellow).' : '.'));
    } else if (!event.recovered) {
      notice(view, 'warn', 'Some messages were too old to recover.');
    } else {
      notice(view, '', 'Reconnected: ' + event.count + ' missed message' + (event.count === 1 ? '' : 's')
        + ' recovered' + (event.count ? ' (marked in yellow).' : '.'));
    }
    refreshPresence(event.room); // presence may have changed while we were away
  }

  /**
   * A stream lost its continuity (every copy of it was gone: a node restarted without a store). The client goes on
   * in the new run and recovers its messages; what came before this line may be missing: say so.
   */
  function onReset(event) {
    app.events.push({ t: performance.now(), type: 'reset', room: event.room || null, user: event.user || null,
      reason: event.reason, epoch: event.epoch, seq: event.seq, previousSeq: event.previousSeq });
    if (event.room != null) {
      notice({ kind: 'room', name: event.room }, 'warn', 'The server lost the history of #' + event.room
        + ': older messages may be missing. New messages follow.');
      return;
    }
    // the user's stream: read every conversation again, so that nothing of the new run is missing
    if (app.view.kind === 'dm') {
      notice(app.view, 'warn', 'The server lost part of your private messages\u2019 history; reloading conversations.');
    }
    loadConversations(Array.from(new Set(storedPeers().concat(Array.from(app.dms.keys())))));
  }

  // --- sending ----------------------------------------------------------------------------------------------------

  ui.composer.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = ui.input.value.trim();
    if (!text || !app.client) return;
    ui.input.value = '';
    var view = app.view;
    var body = { text: text };
    var done = view.kind === 'room'
      ? app.client.publish(view.name, body)
      : app.client.send(view.name, body).then(function (ok) {
        addDm(view.name, { from: app.me, to: view.name, body: body, ts: Date.now(), mid: ok.mid, seq: ok.seq });
      });
    done.catch(function (error) {
      notice(view, 'bad', 'Not sent (' + error.code + '): ' + text);
    });
  });

  ui.newRoomForm.addEventListener('submit', function (e) {
    e.preventDefault();
    var room = ui.newRoom.value.trim();
    if (room.charAt(0) === '@' && NAME.test(room.slice(1))) { // a private conversation with anyone, even offline
      ui.newRoom.value = '';
      closeDrawers();
      show({ kind: 'dm', name: room.slice(1) });
      return;
    }
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(room)) return;
    ui.newRoom.value = '';
    closeDrawers();
    if (app.rooms.has(room)) show({ kind: 'room', name: room }); else joinRoom(room, true);
  });

  // --- rendering --------------------------------------------------------------------------------------------------

  function isView(kind, name) {
    return app.view.kind === kind && app.view.name === name;
  }

  function show(view) {
    app.view = view;
    var state = view.kind === 'room' ? app.rooms.get(view.name) : app.dms.get(view.name);
    if (view.kind === 'dm' && !state) {
      state = dmState(view.name);
      if (app.client && app.client.protocol === '1.1') loadConversation(view.name); // written to before?
    }
    if (state) state.unread = 0;
    ui.title.textContent = (view.kind === 'room' ? '#' : '@') + view.name;
    ui.input.placeholder = 'Message ' + ui.title.textContent;
    ui.messages.textContent = '';
    var previous = null;
    (state ? state.messages : []).forEach(function (item) { previous = appendMessage(item, previous, true); });
    if (!state || state.messages.length === 0) {
      var empty = el('li', 'empty-chat', view.kind === 'room' ? 'No messages in #' + view.name + ' yet. Say hello!'
        : 'This is the start of your conversation with ' + view.name + '.');
      ui.messages.appendChild(empty);
    }
    ui.messages.scrollTop = ui.messages.scrollHeight;
    renderRooms();
    renderDms();
    renderPresence();
  }

  /** Appends one message (or notice) to the visible stream; consecutive messages of one sender are grouped. */
  function appendMessage(item, previous, bulk) {
    var list = ui.messages;
    var empty = list.querySelector('.empty-chat');
    if (empty) empty.remove();
    var nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    if (item.notice != null) {
      var li = el('li', 'notice ' + item.kind);
      li.appendChild(el('span', '', item.notice));
      list.appendChild(li);
    } else {
      previous = previous === undefined ? lastItem() : previous;
      var grouped = previous && previous.notice == null && previous.from === item.from && item.ts - previous.ts < 120000;
      li = el('li', 'msg' + (grouped ? ' cont' : '') + (item.from === app.me ? ' mine' : '')
        + (item.source === 'recovered' ? ' recovered' : ''));
      if (item.seq != null) li.dataset.seq = item.seq;
      if (item.mid != null) li.dataset.mid = item.mid;
      li.dataset.from = item.from;
      var avatar = el('span', 'avatar');
      paintAvatar(avatar, item.from);
      var meta = el('div', 'meta');
      meta.appendChild(el('b', '', item.from));
      meta.appendChild(document.createTextNode(time(item.ts)));
      li.appendChild(avatar);
      li.appendChild(meta);
      li.appendChild(el('div', 'text', text(item.body)));
      list.appendChild(li);
    }
    if (!bulk && (nearBottom || item.from === app.me)) list.scrollTop = list.scrollHeight;
    return item;
  }

  function lastItem() {
    var state = app.view.kind === 'room' ? app.rooms.get(app.view.name) : app.dms.get(app.view.name);
    var messages = state ? state.messages : [];
    return messages.length > 1 ? messages[messages.length - 2] : null;
  }

  /** A line in a room's or conversation's stream that is not a message. */
  function notice(view, kind, message) {
    var state = view.kind === 'room' ? app.rooms.get(view.name) : app.dms.get(view.name);
    var item = { notice: message, kind: kind, ts: Date.now() };
    if (state) state.messages.push(item);
    if (isView(view.kind, view.name)) appendMessage(item);
  }

  function renderRooms() {
    ui.roomList.textContent = '';
    app.rooms.forEach(function (state, room) {
      var li = el('li', isView('room', room) ? 'active' : '');
      li.dataset.room = room;
      li.appendChild(el('span', 'name', '# ' + room));
      if (state.unread) li.appendChild(el('span', 'badge', String(state.unread)));
      if (room !== DEFAULT_ROOM) {
        var leave = el('button', 'link', '\u00d7');
        leave.type = 'button';
        leave.title = 'Leave ' + room;
        leave.addEventListener('click', function (e) { e.stopPropagation(); leaveRoom(room); });
        li.appendChild(leave);
      }
      li.addEventListener('click', function () { closeDrawers(); show({ kind: 'room', name: room }); });
      ui.roomList.appendChild(li);
    });
    markUnread();
  }

  function renderDms() {
    ui.dmList.textContent = '';
    if (app.dms.size === 0) {
      ui.dmList.appendChild(el('li', 'empty', 'Pick someone online, or type @name above.'));
      markUnread();
      return;
    }
    app.dms.forEach(function (dm, peer) {
      var li = el('li', isView('dm', peer) ? 'active' : '');
      li.dataset.peer = peer;
      var avatar = el('span', 'avatar');
      paintAvatar(avatar, peer);
      li.appendChild(avatar);
      li.appendChild(el('span', 'name', peer));
      if (dm.unread) li.appendChild(el('span', 'badge', String(dm.unread)));
      li.addEventListener('click', function () { closeDrawers(); show({ kind: 'dm', name: peer }); });
      ui.dmList.appendChild(li);
    });
    markUnread();
  }

  /** On a narrow screen the rooms drawer is closed: a dot on its button says something unread is in it. */
  function markUnread() {
    var unread = 0;
    app.rooms.forEach(function (state) { unread += state.unread; });
    app.dms.forEach(function (dm) { unread += dm.unread; });
    $('toggle-rooms').classList.toggle('has-unread', unread > 0);
  }

  function renderPresence() {
    var room = app.view.kind === 'room' ? app.view.name : DEFAULT_ROOM;
    var state = app.rooms.get(room);
    var users = state ? Array.from(state.users).sort() : [];
    ui.peopleRoom.textContent = '#' + room;
    ui.peopleCount.textContent = String(users.length);
    ui.sub.textContent = app.view.kind === 'room' ? users.length + ' online' : 'private conversation';
    ui.presence.textContent = '';
    users.forEach(function (user) {
      var li = el('li', user === app.me ? 'self' : '');
      li.dataset.user = user;
      li.appendChild(el('span', 'online'));
      li.appendChild(el('span', 'name', user));
      if (user === app.me) {
        li.appendChild(el('span', 'you', 'you'));
      } else {
        li.title = 'Send ' + user + ' a private message';
        li.addEventListener('click', function () { closeDrawers(); show({ kind: 'dm', name: user }); ui.input.focus(); });
      }
      ui.presence.appendChild(li);
    });
  }

  // --- drawers (narrow screens) -----------------------------------------------------------------------------------

  $('toggle-rooms').addEventListener('click', function () { openDrawer(ui.sidebar); });
  $('toggle-people').addEventListener('click', function () { openDrawer(ui.people); });
  ui.backdrop.addEventListener('click', closeDrawers);

  function openDrawer(drawer) {
    ui.sidebar.classList.add('animate');
    ui.people.classList.add('animate');
    drawer.classList.add('open');
    ui.backdrop.hidden = false;
  }

  function closeDrawers() {
    ui.sidebar.classList.remove('open');
    ui.people.classList.remove('open');
    ui.backdrop.hidden = true;
  }

  // --- helpers ----------------------------------------------------------------------------------------------------

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content != null) node.textContent = content;
    return node;
  }

  function text(body) {
    if (body && typeof body.text === 'string') return body.text;
    return typeof body === 'string' ? body : JSON.stringify(body);
  }

  function time(ts) {
    var d = new Date(ts || Date.now());
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  function paintAvatar(node, user) {
    var hash = 0;
    for (var i = 0; i < user.length; i++) hash = (hash * 31 + user.charCodeAt(i)) | 0;
    node.style.background = 'hsl(' + (Math.abs(hash) % 360) + ', 55%, 52%)';
    node.textContent = user.charAt(0);
  }

  var remembered = sessionStorage.getItem('parley.user');
  if (remembered && NAME.test(remembered)) {
    app.me = remembered;
    getToken().then(function () { start(remembered); }, function () { sessionStorage.removeItem('parley.user'); });
  } else {
    ui.loginName.focus();
  }
})();
