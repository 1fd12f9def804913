/*
 * The live seminar room: chat, questions, polls, presence and moderation over
 * the WebSocket /ws/seminars/<event id>/ (CONTRACTS.md, "Live seminar WebSocket").
 *
 * The page (templates/lms/seminar_room.html) is readable without this script:
 * it holds the messages, questions and polls as they were when it was served.
 * The script takes the room over once connected and keeps it live:
 *
 * - every chat message has a `seq`; messages are shown in `seq` order and
 *   never twice, and a reconnect asks only for what it missed (`?after=`);
 * - what the person writes goes to an outbox first, with a client_id made
 *   once, and stays there ("sending…") until the server echoes it back; after
 *   a reconnect the outbox is sent again, and the server answers a resend
 *   with the original message instead of storing a second one;
 * - the connection comes back by itself: exponential backoff with jitter, up
 *   to about ten seconds, at once when the browser says it is online again.
 *
 * Everything people typed is put into the page as text (textContent, text
 * nodes); links are made only for http(s) URLs, as separate elements.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-seminar-room]");
  var configNode = document.getElementById("seminar-config");
  if (!root || !configNode || !("WebSocket" in window)) {
    return;
  }

  var config = JSON.parse(configNode.textContent);
  var labels = config.labels;
  var me = config.user;
  var PING_EVERY = 25000;
  var PONG_WAIT = 10000;
  var BACKOFF_FIRST = 500;
  var BACKOFF_MAX = 10000;
  var SETTLE_AFTER_CONNECT = 1500;
  // Closed by the server for good: not signed in, not allowed (or banned), no such room.
  var FINAL_CLOSE = { 4401: "signed_out", 4403: "removed", 4404: "gone" };
  var URL_PATTERN = /https?:\/\/[^\s<>"]+/gi;
  var TRAILING_PUNCTUATION = /[.,;:!?'»)\]]+$/;

  var ui = {
    status: root.querySelector("[data-seminar-status]"),
    messages: root.querySelector("[data-seminar-messages]"),
    composer: root.querySelector("[data-seminar-composer]"),
    chatClosed: root.querySelector("[data-seminar-chat-closed]"),
    error: root.querySelector("[data-seminar-error]"),
    questions: root.querySelector("[data-seminar-questions]"),
    ask: root.querySelector("[data-seminar-ask]"),
    polls: root.querySelector("[data-seminar-polls]"),
    pollCreate: root.querySelector("[data-seminar-poll-create]"),
    count: root.querySelector("[data-seminar-count]"),
    online: root.querySelector("[data-seminar-online]"),
    moderation: root.querySelector("[data-seminar-moderation]"),
    chatToggle: root.querySelector("[data-seminar-chat-toggle]"),
    muteMinutes: root.querySelector("[data-seminar-mute-minutes]"),
    log: root.querySelector("[data-seminar-modlog]")
  };

  var state = {
    socket: null,
    ready: false,        // hello and history received on the current socket
    hydrated: false,     // the server-rendered page has been replaced by live data
    final: false,        // the server closed the room for us: no reconnecting
    ended: false,
    attempt: 0,
    reconnectTimer: null,
    pingTimer: null,
    pongTimer: null,
    lastSeq: 0,
    chatOpen: !!config.chatOpen,
    messageNodes: {},    // seq -> <li>
    deletedIds: {},      // message id -> true
    outbox: [],          // {kind, clientId, text, node, failed}
    questions: {},       // id -> {frame, node}
    voted: {},           // question id -> true
    polls: {},           // id -> {frame, node, ...}
    pollVotes: {},       // poll id -> option id
    logKeys: {}
  };
  (config.votedQuestions || []).forEach(function (id) { state.voted[id] = true; });
  Object.keys(config.pollVotes || {}).forEach(function (id) {
    state.pollVotes[id] = config.pollVotes[id];
  });

  // --- helpers -----------------------------------------------------------------

  function format(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  // A button whose visible text starts its accessible name; `context` (whose
  // message, which question) is added for screen readers only.
  function button(text, className, context) {
    var node = element("button", className || "button seminar-action");
    node.type = "button";
    setButtonText(node, text, context);
    return node;
  }

  function setButtonText(node, text, context) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
    node.appendChild(document.createTextNode(text));
    if (context) {
      node.appendChild(element("span", "visually-hidden", ": " + context));
    }
  }

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function safeHttpUrl(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  // Text as text nodes, http(s) URLs as links of their own; nothing is parsed as HTML.
  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var candidate = match[0].replace(TRAILING_PUNCTUATION, "");
      var href = candidate ? safeHttpUrl(candidate) : null;
      if (!href) {
        continue;
      }
      if (match.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      }
      var link = element("a", "", candidate);
      link.href = href;
      link.rel = "noopener nofollow";
      link.target = "_blank";
      var note = element("span", "visually-hidden", " (" + labels.new_window + ")");
      link.appendChild(note);
      parent.appendChild(link);
      last = match.index + candidate.length;
      URL_PATTERN.lastIndex = last;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  function timeElement(iso) {
    var node = element("time");
    node.dateTime = iso;
    var date = new Date(iso);
    if (!isNaN(date.getTime())) {
      node.textContent = date.toLocaleTimeString(document.documentElement.lang || undefined, {
        hour: "2-digit",
        minute: "2-digit"
      });
    }
    return node;
  }

  // Hide a control; if it had the focus, hand the focus to its item instead of the page.
  function hideKeepingFocus(control, hidden, fallback) {
    var hadFocus = hidden && document.activeElement === control;
    control.hidden = hidden;
    if (hadFocus) {
      fallback.tabIndex = -1;
      fallback.focus();
    }
  }

  function removeEmptyNote(container) {
    if (!container) {
      return;
    }
    var empty = container.querySelector("[data-seminar-empty]");
    if (empty) {
      empty.parentNode.removeChild(empty);
    }
  }

  function nearBottom(list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  }

  // --- status and errors -------------------------------------------------------

  function setStatus(kind, text) {
    if (!ui.status) {
      return;
    }
    ui.status.hidden = false;
    ui.status.setAttribute("data-state", kind);
    ui.status.textContent = text;
  }

  function setLiveRegions(value) {
    [ui.messages, ui.log].forEach(function (region) {
      if (region) {
        region.setAttribute("aria-live", value);
      }
    });
  }

  function showError(text) {
    if (ui.error) {
      ui.error.textContent = text || "";
    }
  }

  function errorText(frame) {
    var retry = Number(frame.retry_after) || 0;
    switch (frame.code) {
      case "too_long":
        return format(labels.error_too_long, { max: config.messageMax });
      case "rate_limited":
        return format(labels.error_rate_limited, { seconds: Math.max(1, retry) });
      case "muted":
        return format(labels.error_muted, { minutes: Math.max(1, Math.ceil(retry / 60)) });
      case "chat_closed":
      case "forbidden":
      case "not_found":
      case "invalid":
        return labels["error_" + frame.code];
      default:
        return labels.error_invalid;
    }
  }

  // --- the socket --------------------------------------------------------------

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    var url = scheme + "//" + window.location.host + config.wsPath;
    // The first connection takes the last messages whole; later ones only what they missed.
    return state.hydrated ? url + "?after=" + state.lastSeq : url;
  }

  function send(frame) {
    if (!state.ready || !state.socket || state.socket.readyState !== WebSocket.OPEN) {
      return false;
    }
    state.socket.send(JSON.stringify(frame));
    return true;
  }

  function sendOrComplain(frame) {
    if (!send(frame)) {
      showError(labels.not_connected);
      return false;
    }
    showError("");
    return true;
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    if (state.socket || state.final || state.ended) {
      return;
    }
    if (navigator.onLine === false) {
      setStatus("offline", labels.offline);
      return;
    }
    setStatus("connecting", labels.connecting);
    var socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (error) {
      scheduleReconnect();
      return;
    }
    state.socket = socket;
    socket.onmessage = function (event) {
      if (state.socket !== socket) {
        return;
      }
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (frame && typeof frame.type === "string") {
        handle(frame);
      }
    };
    socket.onclose = function (event) {
      if (state.socket === socket) {
        dropSocket(event.code);
      }
    };
  }

  // Forget the socket (closed by the server, by the network, or by us) and decide what next.
  function dropSocket(code) {
    var socket = state.socket;
    state.socket = null;
    state.ready = false;
    clearInterval(state.pingTimer);
    clearTimeout(state.pongTimer);
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
        socket.close();
      }
    }
    if (Object.prototype.hasOwnProperty.call(FINAL_CLOSE, code)) {
      state.final = true;
      setStatus("closed", labels[FINAL_CLOSE[code]]);
      setFormsEnabled(false);
      return;
    }
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (state.final || state.ended || state.reconnectTimer) {
      return;
    }
    if (navigator.onLine === false) {
      // The "online" event brings us back; trying before it only burns attempts.
      setStatus("offline", labels.offline);
      return;
    }
    var ceiling = Math.min(BACKOFF_MAX, BACKOFF_FIRST * Math.pow(2, state.attempt));
    // "Equal jitter": half fixed, half random, so a restarted server is not hit by everyone at once.
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    state.attempt += 1;
    setStatus("reconnecting", format(labels.reconnecting, { seconds: Math.ceil(delay / 1000) }));
    state.reconnectTimer = setTimeout(connect, delay);
  }

  function startHeartbeat() {
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(function () {
      if (!send({ type: "ping" })) {
        return;
      }
      clearTimeout(state.pongTimer);
      // No pong: the connection is dead without the browser noticing (a sleeping laptop, NAT).
      state.pongTimer = setTimeout(function () { dropSocket(0); }, PONG_WAIT);
    }, PING_EVERY);
  }

  window.addEventListener("offline", function () {
    if (state.socket) {
      dropSocket(0);
    } else {
      setStatus("offline", labels.offline);
    }
  });

  window.addEventListener("online", function () {
    state.attempt = 0;
    if (!state.socket) {
      connect();
    }
  });

  // --- incoming frames ----------------------------------------------------------

  function handle(frame) {
    switch (frame.type) {
      case "hello":
        onHello(frame);
        break;
      case "history":
        onHistory(frame);
        break;
      case "message":
        addMessage(frame, true);
        break;
      case "message.deleted":
        removeMessage(frame.id);
        break;
      case "question":
        upsertQuestion(frame);
        break;
      case "poll":
        upsertPoll(frame);
        break;
      case "presence":
        showPresence(frame);
        break;
      case "chat":
        setChatOpen(!!frame.open);
        break;
      case "moderation":
        addLogEntry(frame);
        break;
      case "pong":
        clearTimeout(state.pongTimer);
        break;
      case "error":
        onError(frame);
        break;
      default:
        break;
    }
  }

  function onHello(frame) {
    me = frame.user || me;
    state.attempt = 0;
    setChatOpen(!!frame.chat_open);
    if (!state.hydrated) {
      // The first burst (the last messages again, the moderation log) is not news:
      // keep screen readers from reading it all out.
      setLiveRegions("off");
      // The live state follows (questions, polls): drop what the server rendered.
      Array.prototype.forEach.call(ui.questions.querySelectorAll("[data-question-id]"), function (node) {
        node.parentNode.removeChild(node);
      });
      Array.prototype.forEach.call(ui.polls.querySelectorAll("[data-poll-id]"), function (node) {
        node.parentNode.removeChild(node);
      });
    }
    setStatus("online", labels.connected);
    startHeartbeat();
  }

  function onHistory(frame) {
    var messages = frame.messages || [];
    if (!state.hydrated) {
      // The first history is the last messages, exactly what the page showed (minus
      // any deleted since): replace the server-rendered ones with live ones.
      state.messageNodes = {};
      Array.prototype.forEach.call(ui.messages.querySelectorAll("[data-seq]"), function (node) {
        node.parentNode.removeChild(node);
      });
      state.hydrated = true;
      setTimeout(function () { setLiveRegions("polite"); }, SETTLE_AFTER_CONNECT);
    }
    var follow = nearBottom(ui.messages);
    messages.forEach(function (message) { addMessage(message, false); });
    if (follow) {
      ui.messages.scrollTop = ui.messages.scrollHeight;
    }
    state.ready = true;
    setFormsEnabled(true);
    flushOutbox();
  }

  function onError(frame) {
    var text = errorText(frame);
    var item = frame.client_id ? findOutbox(frame.client_id) : null;
    if (item && frame.code === "rate_limited") {
      // Not refused, only too early: try the same item again when allowed.
      setTimeout(function () {
        if (state.outbox.indexOf(item) !== -1 && !item.failed) {
          sendItem(item);
        }
      }, Math.max(1, Number(frame.retry_after) || 1) * 1000);
    } else if (item) {
      markFailed(item, text);
    }
    showError(text);
  }

  // --- chat ------------------------------------------------------------------------

  function renderMessage(message) {
    var author = message.author || {};
    var isModerator = author.role === "moderator";
    var node = element("li", "seminar-message" + (isModerator ? " seminar-message--moderator" : ""));
    node.setAttribute("data-seq", String(message.seq));
    node.setAttribute("data-id", String(message.id));
    var meta = element("p", "seminar-message__meta");
    meta.appendChild(element("span", "seminar-message__author", author.name));
    if (isModerator) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("span", "tag", labels.moderator));
    }
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(timeElement(message.created));
    node.appendChild(meta);
    var text = element("p", "seminar-message__text");
    appendLinkified(text, String(message.text || ""));
    node.appendChild(text);
    if (config.isModerator) {
      node.appendChild(moderationActions(message));
    }
    return node;
  }

  function moderationActions(message) {
    var author = message.author || {};
    var actions = element("div", "seminar-actions");
    var remove = button(labels["delete"], "button seminar-action seminar-delete",
      format(labels.message_of, { name: author.name }));
    remove.addEventListener("click", function () {
      sendOrComplain({ type: "message.delete", id: message.id });
    });
    actions.appendChild(remove);
    if (author.role !== "moderator" && author.id !== me.id) {
      var mute = button(labels.mute, "button seminar-action seminar-mute", author.name);
      mute.addEventListener("click", function () {
        sendOrComplain({ type: "user.mute", user_id: author.id, minutes: muteMinutes() });
      });
      actions.appendChild(mute);
      var ban = button(labels.ban, "button button--danger seminar-action seminar-ban", author.name);
      ban.addEventListener("click", function () {
        if (window.confirm(format(labels.ban_confirm, { name: author.name }))) {
          sendOrComplain({ type: "user.ban", user_id: author.id });
        }
      });
      actions.appendChild(ban);
    }
    return actions;
  }

  function muteMinutes() {
    var value = ui.muteMinutes ? parseInt(ui.muteMinutes.value, 10) : 10;
    return isNaN(value) ? 10 : Math.min(1440, Math.max(1, value));
  }

  function addMessage(message, live) {
    if (typeof message.seq !== "number" || state.deletedIds[message.id]) {
      return;
    }
    if (me && message.author && message.author.id === me.id && message.client_id) {
      var item = findOutbox(message.client_id);
      if (item) {
        removeFromOutbox(item);
      }
    }
    if (message.seq > state.lastSeq) {
      state.lastSeq = message.seq;
    }
    if (state.messageNodes[message.seq]) {
      return;
    }
    var follow = live && nearBottom(ui.messages);
    var node = renderMessage(message);
    state.messageNodes[message.seq] = node;
    removeEmptyNote(ui.messages);
    // After the last shown message with a smaller seq; pending (unsent) ones stay last.
    var before = null;
    var child = ui.messages.lastElementChild;
    while (child) {
      var seq = child.getAttribute("data-seq");
      if (seq !== null && Number(seq) < message.seq) {
        break;
      }
      if (seq !== null || child.hasAttribute("data-pending")) {
        before = child;
      }
      child = child.previousElementSibling;
    }
    ui.messages.insertBefore(node, before);
    if (follow) {
      ui.messages.scrollTop = ui.messages.scrollHeight;
    }
  }

  function removeMessage(id) {
    state.deletedIds[id] = true;
    Object.keys(state.messageNodes).forEach(function (seq) {
      var node = state.messageNodes[seq];
      if (node.getAttribute("data-id") === String(id)) {
        node.parentNode.removeChild(node);
        delete state.messageNodes[seq];
      }
    });
  }

  function setChatOpen(open) {
    state.chatOpen = open;
    if (ui.chatClosed) {
      ui.chatClosed.hidden = open;
    }
    if (ui.chatToggle) {
      ui.chatToggle.textContent = open ? labels.chat_close : labels.chat_open;
    }
    setFormsEnabled(state.ready);
  }

  // --- the outbox ------------------------------------------------------------------

  function findOutbox(clientId) {
    for (var i = 0; i < state.outbox.length; i++) {
      if (state.outbox[i].clientId === clientId) {
        return state.outbox[i];
      }
    }
    return null;
  }

  function removeFromOutbox(item) {
    var index = state.outbox.indexOf(item);
    if (index !== -1) {
      state.outbox.splice(index, 1);
    }
    if (item.node && item.node.parentNode) {
      item.node.parentNode.removeChild(item.node);
    }
  }

  function pendingNode(item) {
    var node = element("li", item.kind === "message" ? "seminar-message seminar-pending" : "seminar-question seminar-pending");
    node.setAttribute("data-pending", item.clientId);
    var meta = element("p", item.kind === "message" ? "seminar-message__meta" : "meta");
    meta.appendChild(element("span", "seminar-message__author", me.name));
    meta.appendChild(document.createTextNode(" "));
    item.stateNode = element("span", "seminar-pending__state", labels.sending);
    meta.appendChild(item.stateNode);
    var text = element("p", item.kind === "message" ? "seminar-message__text" : "seminar-question__text");
    appendLinkified(text, item.text);
    if (item.kind === "message") {
      node.appendChild(meta);
      node.appendChild(text);
    } else {
      node.appendChild(text);
      node.appendChild(meta);
    }
    return node;
  }

  function queue(kind, text) {
    var item = { kind: kind, clientId: newClientId(), text: text, failed: false };
    item.node = pendingNode(item);
    var list = kind === "message" ? ui.messages : ui.questions;
    removeEmptyNote(list);
    list.appendChild(item.node);
    if (kind === "message") {
      list.scrollTop = list.scrollHeight;
    }
    state.outbox.push(item);
    sendItem(item);
  }

  function sendItem(item) {
    return send({
      type: item.kind === "message" ? "message.send" : "question.ask",
      text: item.text,
      client_id: item.clientId
    });
  }

  function flushOutbox() {
    state.outbox.forEach(function (item) {
      if (!item.failed) {
        sendItem(item);
      }
    });
  }

  function markFailed(item, reason) {
    item.failed = true;
    var index = state.outbox.indexOf(item);
    if (index !== -1) {
      state.outbox.splice(index, 1);
    }
    if (!item.node) {
      return;
    }
    item.node.classList.add("seminar-pending--failed");
    item.stateNode.textContent = labels.not_sent + ": " + reason;
    var dismiss = button(labels.dismiss, "link-button seminar-dismiss");
    dismiss.addEventListener("click", function () {
      if (item.node.parentNode) {
        item.node.parentNode.removeChild(item.node);
      }
    });
    item.stateNode.parentNode.appendChild(document.createTextNode(" "));
    item.stateNode.parentNode.appendChild(dismiss);
  }

  function submitText(form, kind) {
    var field = form.querySelector("textarea");
    var text = field.value.trim();
    if (!text) {
      return;
    }
    if (text.length > config.messageMax) {
      showError(format(labels.error_too_long, { max: config.messageMax }));
      return;
    }
    showError("");
    queue(kind, text);
    field.value = "";
  }

  function enterSends(form) {
    var field = form.querySelector("textarea");
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
  }

  function setFormsEnabled(connected) {
    var live = !state.final && !state.ended;
    // Writing while disconnected is fine: it waits in the outbox.
    if (ui.composer) {
      var canChat = live && (state.chatOpen || config.isModerator);
      ui.composer.hidden = !live;
      setDisabled(ui.composer, !canChat);
    }
    if (ui.ask) {
      ui.ask.hidden = !live;
      setDisabled(ui.ask, !live);
    }
    if (ui.pollCreate) {
      ui.pollCreate.hidden = !live;
      setDisabled(ui.pollCreate, !live || !connected);
    }
    if (ui.moderation) {
      ui.moderation.hidden = !live;
    }
    if (ui.chatToggle) {
      ui.chatToggle.disabled = !live || !connected;
    }
  }

  function setDisabled(form, disabled) {
    Array.prototype.forEach.call(form.querySelectorAll("textarea, input, button"), function (control) {
      control.disabled = disabled;
    });
  }

  // --- questions ---------------------------------------------------------------------

  function upsertQuestion(frame) {
    var entry = state.questions[frame.id];
    if (me && frame.author && frame.author.id === me.id && frame.client_id) {
      var item = findOutbox(frame.client_id);
      if (item) {
        removeFromOutbox(item);
      }
    }
    if (!entry) {
      entry = { node: element("li", "seminar-question") };
      entry.node.setAttribute("data-question-id", String(frame.id));
      entry.text = element("p", "seminar-question__text");
      appendLinkified(entry.text, String(frame.text || ""));
      entry.meta = element("p", "meta");
      entry.author = element("span", "seminar-question__author", frame.author && frame.author.name);
      entry.votes = element("span", "seminar-question__votes");
      entry.answered = element("span", "seminar-answered", labels.answered);
      entry.meta.appendChild(entry.author);
      entry.meta.appendChild(document.createTextNode(" · "));
      entry.meta.appendChild(entry.votes);
      entry.meta.appendChild(document.createTextNode(" "));
      entry.meta.appendChild(entry.answered);
      entry.actions = element("div", "seminar-actions");
      entry.vote = button(labels.support, "button seminar-action seminar-vote");
      entry.vote.addEventListener("click", function () {
        // Stays focusable once used (aria-pressed tells): one vote per person.
        if (state.voted[frame.id] || state.ended) {
          return;
        }
        if (sendOrComplain({ type: "question.vote", id: frame.id })) {
          state.voted[frame.id] = true;
          updateQuestion(entry);
        }
      });
      entry.actions.appendChild(entry.vote);
      if (config.isModerator) {
        entry.answer = button(labels.mark_answered, "button seminar-action seminar-answer",
          format(labels.question_of, { name: frame.author && frame.author.name }));
        entry.answer.addEventListener("click", function () {
          sendOrComplain({ type: "question.answer", id: frame.id });
        });
        entry.actions.appendChild(entry.answer);
      }
      entry.node.appendChild(entry.text);
      entry.node.appendChild(entry.meta);
      entry.node.appendChild(entry.actions);
      state.questions[frame.id] = entry;
      removeEmptyNote(ui.questions);
    }
    entry.frame = frame;
    updateQuestion(entry);
    sortQuestions();
  }

  function updateQuestion(entry) {
    var frame = entry.frame;
    var voted = !!state.voted[frame.id];
    var own = me && frame.author && frame.author.id === me.id;
    entry.node.classList.toggle("seminar-question--answered", !!frame.answered);
    entry.votes.textContent = format(labels.votes, { count: frame.votes });
    entry.answered.hidden = !frame.answered;
    entry.vote.hidden = !!own;
    entry.vote.setAttribute("aria-pressed", voted ? "true" : "false");
    entry.vote.setAttribute("aria-disabled", voted || state.ended ? "true" : "false");
    setButtonText(entry.vote, voted ? labels.supported : labels.support,
      format(labels.question_of, { name: frame.author && frame.author.name }));
    if (entry.answer) {
      hideKeepingFocus(entry.answer, !!frame.answered || state.ended, entry.node);
    }
  }

  function sortQuestions() {
    var entries = Object.keys(state.questions).map(function (id) { return state.questions[id]; });
    entries.sort(function (a, b) {
      return (b.frame.votes - a.frame.votes) || (a.frame.id - b.frame.id);
    });
    var focused = document.activeElement;
    var anchor = ui.questions.firstElementChild;
    entries.forEach(function (entry) {
      if (anchor === entry.node) {
        anchor = anchor.nextElementSibling;
      } else {
        ui.questions.insertBefore(entry.node, anchor);
      }
    });
    // Pending questions stay at the end.
    Array.prototype.forEach.call(ui.questions.querySelectorAll("[data-pending]"), function (node) {
      ui.questions.appendChild(node);
    });
    if (focused && focused !== document.activeElement && document.contains(focused)) {
      focused.focus();
    }
  }

  // --- polls -------------------------------------------------------------------------

  function upsertPoll(frame) {
    var entry = state.polls[frame.id];
    if (!entry) {
      entry = buildPoll(frame);
      state.polls[frame.id] = entry;
      removeEmptyNote(ui.polls);
      // Newest first.
      var newer = null;
      Array.prototype.some.call(ui.polls.querySelectorAll("[data-poll-id]"), function (node) {
        if (Number(node.getAttribute("data-poll-id")) < frame.id) {
          newer = node;
          return true;
        }
        return false;
      });
      ui.polls.insertBefore(entry.node, newer);
    }
    entry.frame = frame;
    updatePoll(entry);
  }

  function buildPoll(frame) {
    var entry = {};
    var titleId = "seminar-poll-" + frame.id;
    entry.node = element("section", "seminar-poll");
    entry.node.setAttribute("data-poll-id", String(frame.id));
    entry.node.setAttribute("aria-labelledby", titleId);
    var title = element("h3", "", frame.question);
    title.id = titleId;
    entry.node.appendChild(title);
    entry.closedNote = element("p", "meta", labels.poll_closed);
    entry.node.appendChild(entry.closedNote);

    entry.form = element("form", "seminar-poll__form");
    var fieldset = element("fieldset");
    var legend = element("legend", "visually-hidden", frame.question);
    fieldset.appendChild(legend);
    (frame.options || []).forEach(function (option) {
      var id = "seminar-poll-" + frame.id + "-option-" + option.id;
      var row = element("div", "field field--checkbox");
      var input = element("input");
      input.type = "radio";
      input.name = "option";
      input.id = id;
      input.value = String(option.id);
      input.required = true;
      var label = element("label", "", option.text);
      label.htmlFor = id;
      row.appendChild(input);
      row.appendChild(label);
      fieldset.appendChild(row);
    });
    entry.form.appendChild(fieldset);
    var submit = element("button", "button", labels.poll_vote);
    submit.type = "submit";
    entry.form.appendChild(submit);
    entry.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = entry.form.querySelector("input[name=option]:checked");
      if (!chosen) {
        return;
      }
      var optionId = Number(chosen.value);
      if (sendOrComplain({ type: "poll.vote", id: frame.id, option_id: optionId })) {
        state.pollVotes[frame.id] = optionId;
        updatePoll(entry);
        entry.votedNote.focus();
      }
    });
    entry.node.appendChild(entry.form);
    entry.votedNote = element("p", "seminar-poll__voted", labels.poll_voted);
    entry.votedNote.tabIndex = -1;
    entry.node.appendChild(entry.votedNote);

    entry.results = element("ul", "seminar-results");
    entry.node.appendChild(entry.results);
    entry.total = element("p", "meta");
    entry.node.appendChild(entry.total);
    if (config.isModerator) {
      entry.close = button(labels.poll_close, "button seminar-action seminar-poll__close",
        frame.question);
      entry.close.addEventListener("click", function () {
        sendOrComplain({ type: "poll.close", id: frame.id });
      });
      entry.node.appendChild(entry.close);
    }
    return entry;
  }

  function updatePoll(entry) {
    var frame = entry.frame;
    var voted = Object.prototype.hasOwnProperty.call(state.pollVotes, String(frame.id));
    entry.node.classList.toggle("seminar-poll--closed", !frame.open);
    entry.closedNote.hidden = !!frame.open;
    entry.form.hidden = !frame.open || voted || state.ended;
    entry.votedNote.hidden = !voted;
    if (entry.close) {
      hideKeepingFocus(entry.close, !frame.open || state.ended, entry.node);
    }
    var total = 0;
    (frame.options || []).forEach(function (option) { total += option.votes; });
    while (entry.results.firstChild) {
      entry.results.removeChild(entry.results.firstChild);
    }
    (frame.options || []).forEach(function (option) {
      var percent = total ? Math.round(100 * option.votes / total) : 0;
      var row = element("li", "seminar-results__option");
      row.setAttribute("data-option-id", String(option.id));
      if (String(state.pollVotes[frame.id]) === String(option.id)) {
        row.classList.add("seminar-results__option--mine");
      }
      row.appendChild(element("span", "seminar-results__text", option.text));
      row.appendChild(document.createTextNode(" "));
      row.appendChild(element("span", "seminar-results__count",
        format(labels.votes, { count: option.votes }) + " (" + percent + " %)"));
      var bar = element("span", "seminar-bar");
      bar.setAttribute("aria-hidden", "true");
      var fill = element("span", "seminar-bar__fill");
      fill.style.width = percent + "%";
      bar.appendChild(fill);
      row.appendChild(bar);
      entry.results.appendChild(row);
    });
    entry.total.textContent = format(labels.poll_total, { count: total });
  }

  // --- presence and moderation log ---------------------------------------------------

  function showPresence(frame) {
    if (ui.count) {
      ui.count.textContent = format(labels.online, { count: frame.count });
    }
    if (!ui.online) {
      return;
    }
    while (ui.online.firstChild) {
      ui.online.removeChild(ui.online.firstChild);
    }
    (frame.online || []).forEach(function (person) {
      var item = element("li", "", person.name);
      item.setAttribute("data-user-id", String(person.id));
      if (me && person.id === me.id) {
        item.appendChild(document.createTextNode(" (" + labels.you + ")"));
      }
      ui.online.appendChild(item);
    });
  }

  function addLogEntry(frame) {
    if (!ui.log) {
      return;
    }
    var target = frame.target_user || {};
    // A reconnect resends the recent log: show each entry once.
    var key = [frame.action, frame.created, frame.actor && frame.actor.id, target.id, frame.target_id].join("|");
    if (state.logKeys[key]) {
      return;
    }
    state.logKeys[key] = true;
    var template = labels["log_" + frame.action] || labels.log_other;
    var item = element("li", "seminar-log__entry");
    item.setAttribute("data-action", frame.action);
    item.appendChild(timeElement(frame.created));
    item.appendChild(document.createTextNode(" " + format(template, {
      actor: (frame.actor && frame.actor.name) || "",
      target: target.name || "",
      action: frame.action
    })));
    ui.log.insertBefore(item, ui.log.firstChild);
  }

  // --- forms -------------------------------------------------------------------------

  if (ui.composer) {
    ui.composer.addEventListener("submit", function (event) {
      event.preventDefault();
      submitText(ui.composer, "message");
    });
    enterSends(ui.composer);
  }

  if (ui.ask) {
    ui.ask.addEventListener("submit", function (event) {
      event.preventDefault();
      submitText(ui.ask, "question");
    });
  }

  if (ui.pollCreate) {
    ui.pollCreate.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = ui.pollCreate.querySelector("[name=question]").value.trim();
      var options = ui.pollCreate.querySelector("[name=options]").value.split(/\r?\n/)
        .map(function (line) { return line.trim(); })
        .filter(function (line) { return line; });
      if (!question || options.length < 2) {
        showError(labels.poll_needs_options);
        return;
      }
      if (sendOrComplain({ type: "poll.create", question: question, options: options })) {
        ui.pollCreate.reset();
      }
    });
  }

  if (ui.chatToggle) {
    ui.chatToggle.addEventListener("click", function () {
      sendOrComplain({ type: state.chatOpen ? "chat.close" : "chat.open" });
    });
  }

  // The room turns read-only at the end; the transcript is a reload away.
  var endsIn = new Date(config.endsAt).getTime() - Date.now();
  if (endsIn > 0 && endsIn < 2147483647) {
    setTimeout(function () {
      state.ended = true;
      setFormsEnabled(false);
      Object.keys(state.questions).forEach(function (id) { updateQuestion(state.questions[id]); });
      Object.keys(state.polls).forEach(function (id) { updatePoll(state.polls[id]); });
      setStatus("closed", labels.ended);
    }, endsIn);
  }

  setFormsEnabled(false);
  connect();
})();
