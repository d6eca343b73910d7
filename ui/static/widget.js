/* shopbot chat widget: one tag embeds it.
 *   <script src="https://shop.example/static/widget.js" data-site-key="KEY"
 *           data-api="https://shop.example" data-user-token="(optional signed token)"></script>
 * Everything user- or model-written is set with textContent (never innerHTML). The session id and a short
 * transcript stay in localStorage across page loads; the transcript keeps only what the server sent back (the
 * user's words as redacted and stored by the server, the replies), never the raw text typed.
 * Replies stream over fetch + ReadableStream (SSE). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__shopbotWidget) { return; }
  window.__shopbotWidget = true;
  var siteKey = script.getAttribute("data-site-key") || "";
  var api = (script.getAttribute("data-api") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var userToken = script.getAttribute("data-user-token") || "";
  var storeKey = "shopbot:" + siteKey + ":" + (userToken ? "user:" + tokenSubject(userToken) : "anon");
  var MAX_LOG = 30;
  var STORE_VERSION = 2;  // version 1 kept raw user text: such transcripts are dropped on load

  function tokenSubject(token) {  // the customer the JWT names (its signature is checked by the server)
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return String(JSON.parse(atob(part + "===".slice((part.length + 3) % 4))).sub);
    } catch (e) { return "unknown"; }
  }

  var CSS = [
    ":host{all:initial;font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:15px;color:#222}",
    ".bubble{position:fixed;right:18px;bottom:18px;width:58px;height:58px;border-radius:50%;border:0;display:flex;align-items:center;justify-content:center;",
    "background:#1f6feb;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}",
    ".panel{position:fixed;right:18px;bottom:88px;width:370px;max-width:calc(100vw - 24px);height:540px;",
    "max-height:calc(100vh - 110px);display:none;flex-direction:column;background:#fff;border-radius:14px;",
    "box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;z-index:2147483000}",
    ".panel.open{display:flex}",
    ".head{background:#1f6feb;color:#fff;padding:10px 14px;display:flex;justify-content:space-between;align-items:center}",
    ".head button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}",
    ".log{flex:1;overflow-y:auto;padding:10px;background:#f6f8fa}",
    ".msg{margin:6px 0;padding:8px 11px;border-radius:12px;max-width:85%;white-space:pre-wrap;word-wrap:break-word}",
    ".user{background:#1f6feb;color:#fff;margin-left:auto}",
    ".bot{background:#fff;border:1px solid #ddd}",
    ".err{background:#fff1f0;border:1px solid #f5c2c0;color:#a00}",
    ".cards{display:flex;gap:8px;overflow-x:auto;padding:4px 0 8px}",
    ".card{flex:0 0 170px;background:#fff;border:1px solid #ddd;border-radius:10px;padding:8px;font-size:13px}",
    ".card .title{font-weight:600;margin-bottom:3px}.card .meta{color:#555}",
    ".card .chip{display:inline-block;background:#eef;border-radius:8px;padding:0 6px;margin:2px 2px 0 0;font-size:11px}",
    ".card .out{color:#b00}.card .in{color:#070}",
    ".card .acts{margin-top:6px;display:flex;gap:4px;flex-wrap:wrap}",
    ".card .acts button{font-size:12px;padding:2px 6px;border:1px solid #ccc;border-radius:6px;background:#fafafa;cursor:pointer}",
    ".card details{margin-top:4px;color:#444}",
    "form{display:flex;border-top:1px solid #ddd}",
    "input{flex:1;border:0;padding:12px;font-size:15px;outline:none}",
    "form button{border:0;background:#1f6feb;color:#fff;padding:0 16px;cursor:pointer}"
  ].join("\n");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  function load() { try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; } }
  function save(state) { try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode */ } }
  var state = load();
  state.log = Array.isArray(state.log) && state.v === STORE_VERSION ? state.log : [];
  state.v = STORE_VERSION;

  var host = el("div");
  host.id = "shopbot-widget";
  var root = host.attachShadow({ mode: "open" });
  var style = el("style", null, CSS);
  var bubble = el("button", "bubble");
  bubble.appendChild(chatIcon());
  bubble.setAttribute("aria-label", "Open the shop assistant");
  var panel = el("div", "panel");
  panel.setAttribute("role", "dialog");
  var head = el("div", "head");
  head.appendChild(el("span", null, "Shop assistant"));
  var close = el("button", "close", "×");
  close.setAttribute("aria-label", "Close");
  head.appendChild(close);
  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var form = el("form");
  var input = el("input");
  input.placeholder = "Ask about products or your order…";
  input.maxLength = 2000;
  input.setAttribute("aria-label", "Message");
  var sendBtn = el("button", null, "Send");
  sendBtn.type = "submit";
  form.appendChild(input);
  form.appendChild(sendBtn);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  [style, bubble, panel].forEach(function (n) { root.appendChild(n); });

  function scroll() { log.scrollTop = log.scrollHeight; }
  function addMsg(kind, text) { var m = el("div", "msg " + kind, text); log.appendChild(m); scroll(); return m; }
  function remember(kind, text) {
    state.log.push([kind, String(text)]);
    state.log = state.log.slice(-MAX_LOG);
    save(state);
  }

  function headers() {
    var h = { "Content-Type": "application/json", "X-Site-Key": siteKey };
    if (userToken) { h["X-User-Token"] = userToken; }
    return h;
  }

  function post(path, body) {
    return fetch(api + path, { method: "POST", headers: headers(), body: JSON.stringify(body || {}) });
  }

  function errorText(res) {
    return res.json().then(function (b) {
      var msg = (b && b.error && b.error.message) || ("Error " + res.status);
      return { status: res.status, code: b && b.error && b.error.code, message: msg };
    }, function () { return { status: res.status, code: "error", message: "Error " + res.status }; });
  }

  function ensureSession(fresh) {
    if (state.session && !fresh) { return Promise.resolve(state.session); }
    return post("/v1/sessions", {}).then(function (res) {
      if (!res.ok) { return errorText(res).then(function (e) { throw e; }); }
      return res.json().then(function (b) { state.session = b.session_id; save(state); return b.session_id; });
    });
  }

  function feedback(productId, kind, button) {
    post("/v1/feedback", { session_id: state.session, product_id: productId, kind: kind }).then(function (res) {
      button.textContent = res.ok ? button.textContent + " ✓" : "failed";
      button.disabled = res.ok;
    }, function () { button.textContent = "failed"; });
  }

  function renderCard(p) {
    var card = el("div", "card");
    card.setAttribute("data-product-id", p.id);
    card.appendChild(el("div", "title", p.title));
    var price = (p.currency === "USD" ? "$" : p.currency + " ") + Number(p.price).toFixed(2);
    card.appendChild(el("div", "meta", p.brand + " · " + price + " · ★ " + Number(p.rating).toFixed(1) + " (" + p.review_count + ")"));
    card.appendChild(el("div", p.in_stock ? "in" : "out", p.in_stock ? "In stock" : "Out of stock"));
    var chips = el("div");
    (p.attributes || []).forEach(function (a) { chips.appendChild(el("span", "chip", a)); });
    card.appendChild(chips);
    var why = el("details");
    why.appendChild(el("summary", null, "Why this?"));
    why.appendChild(el("div", "reasons", (p.reasons || []).join("; ") || "it matches your request"));
    card.appendChild(why);
    var acts = el("div", "acts");
    [["like", "Like"], ["dislike", "Dislike"], ["add_to_cart", "Add to cart"]].forEach(function (a) {
      var b = el("button", "act-" + a[0], a[1]);
      b.type = "button";
      b.addEventListener("click", function () { feedback(p.id, a[0], b); });
      acts.appendChild(b);
    });
    card.appendChild(acts);
    return card;
  }

  function renderCards(products) {
    if (!products || !products.length) { return; }
    var row = el("div", "cards");
    products.forEach(function (p) { row.appendChild(renderCard(p)); });
    log.appendChild(row);
    scroll();
  }

  function parseEvents(buffer, onEvent) {
    var parts = buffer.split("\n\n");
    var rest = parts.pop();
    parts.forEach(function (block) {
      var ev = "message", data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) { ev = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
      });
      onEvent(ev, data.join("\n"));
    });
    return rest;
  }

  function streamReply(text, sessionId, out) {
    return post("/v1/chat/stream", { session_id: sessionId, text: text }).then(function (res) {
      if (!res.ok) { return errorText(res).then(function (e) { throw e; }); }
      var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = "", streamed = "", final = null;
      function onEvent(ev, data) {
        if (ev === "token") { streamed += JSON.parse(data); out.textContent = streamed; scroll(); }
        else if (ev === "turn") { final = JSON.parse(data); out.textContent = final.reply; }
        else if (ev === "error") { var e = JSON.parse(data).error; out.className = "msg err"; out.textContent = e.message; }
      }
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) { parseEvents(buffer + "\n\n", onEvent); return final; }
          buffer = parseEvents(buffer + decoder.decode(r.value, { stream: true }), onEvent);
          return pump();
        });
      }
      return pump();
    });
  }

  function send(text) {
    addMsg("user", text);  // shown on this page only; stored below as the server redacted it
    var out = addMsg("bot", "…");
    sendBtn.disabled = true;
    function attempt(fresh) {
      return ensureSession(fresh).then(function (sid) { return streamReply(text, sid, out); });
    }
    attempt(false).catch(function (e) {
      if (e && (e.code === "unknown_session" || e.code === "session_forbidden")) {
        state.log = [];  // the old conversation is gone (restart) or not ours: never show it again
        return attempt(true);
      }
      throw e;
    }).then(function (turn) {
      if (turn) {
        remember("user", turn.text || "");
        remember("bot", turn.reply);
        renderCards(turn.products);
      }
    }).catch(function (e) {
      out.className = "msg err";
      out.textContent = (e && e.message) || "The assistant is unavailable right now.";
    }).then(function () { sendBtn.disabled = false; input.focus(); });
  }

  state.log.forEach(function (m) { addMsg(m[0] === "user" ? "user" : "bot", m[1]); });
  bubble.addEventListener("click", function () {
    panel.classList.toggle("open");
    if (panel.classList.contains("open")) {
      if (!log.childNodes.length) { addMsg("bot", "Hi! What are you shopping for today?"); }
      input.focus();
    }
  });
  close.addEventListener("click", function () { panel.classList.remove("open"); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text || sendBtn.disabled) { return; }
    input.value = "";
    send(text);
  });
  (document.body || document.documentElement).appendChild(host);
})();
