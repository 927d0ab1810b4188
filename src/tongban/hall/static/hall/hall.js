/* 智慧大厅 live pages: the ticket on the phone, the TV display (with spoken calls), the manager's
   board, and the kiosk's idle sign-out and printing. Server-Sent Events first; a browser without
   EventSource polls once a second. Every page shows its state without this file. */
(function () {
  "use strict";

  function listen(url, onData, pollUrl) {
    if (window.EventSource) {
      var source = new EventSource(url);
      source.addEventListener("hall", function (event) { onData(JSON.parse(event.data)); });
      return;
    }
    if (!pollUrl) { return; }
    window.setInterval(function () {
      fetch(pollUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(onData)
        .catch(function () {});
    }, 1000);
  }

  function setUpTicket() {
    var box = document.querySelector("[data-hall-ticket]");
    if (!box) { return; }
    listen(box.getAttribute("data-stream"), function (state) {
      if (!state.status) { return; }
      var fields = box.querySelectorAll("[data-field]");
      for (var i = 0; i < fields.length; i++) {
        var value = state[fields[i].getAttribute("data-field")];
        fields[i].textContent = value === null || value === undefined ? "" : value;
      }
      var parts = box.querySelectorAll("[data-when]");
      for (var j = 0; j < parts.length; j++) {
        parts[j].hidden = parts[j].getAttribute("data-when") !== state.status;
      }
      if (state.status === "called" && navigator.vibrate) { navigator.vibrate([300, 100, 300]); }
      if (state.status === "done" && box.getAttribute("data-status") !== "done") {
        box.setAttribute("data-status", "done");
        window.location.reload(); // the page as rendered now carries the rating link
      }
    }, box.getAttribute("data-state"));
  }

  /* The display speaks each new call in Chinese. Browsers only speak after someone touched the
     page once, hence the button (a TV kiosk browser can be started with autoplay allowed). */
  function setUpDisplay() {
    var root = document.querySelector("[data-hall-display]");
    if (!root) { return; }
    var sayTemplate = root.getAttribute("data-say");
    var speaking = false;
    var lastId = 0;
    var first = root.querySelector("[data-call-id]");
    if (first) { lastId = parseInt(first.getAttribute("data-call-id"), 10); }
    var toggle = root.querySelector("[data-speech-toggle]");
    if (toggle) {
      toggle.addEventListener("click", function () {
        speaking = !speaking;
        toggle.setAttribute("aria-pressed", speaking ? "true" : "false");
        toggle.textContent = speaking ? "语音播报已开启" : "开启语音播报";
        if (speaking) { say("语音播报已开启"); }
      });
    }
    function say(text) {
      if (!speaking || !window.speechSynthesis) { return; }
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "zh-CN";
      utterance.rate = 0.9;
      window.speechSynthesis.speak(utterance);
    }
    function sentence(call) {
      return sayTemplate.replace("{code}", call.code).replace("{window}", call.window);
    }
    listen(root.getAttribute("data-stream"), function (data) {
      var calls = data.calls || [];
      var list = root.querySelector("[data-recent]");
      list.textContent = "";
      calls.forEach(function (call) {
        var item = document.createElement("li");
        item.setAttribute("data-call-id", call.id);
        var code = document.createElement("span");
        code.className = "hall-code";
        code.textContent = call.code;
        item.appendChild(code);
        item.appendChild(document.createTextNode(" → " + call.window + " 号窗口 "));
        var at = document.createElement("span");
        at.className = "muted";
        at.textContent = call.at;
        item.appendChild(at);
        list.appendChild(item);
      });
      if (calls.length) {
        root.querySelector("[data-current]").textContent = sentence(calls[0]);
      }
      var fresh = calls.filter(function (call) { return call.id > lastId; }).reverse();
      fresh.forEach(function (call) { say(sentence(call)); say(sentence(call)); });
      if (calls.length) { lastId = Math.max(lastId, calls[0].id); }
      var waiting = data.waiting || {};
      Object.keys(waiting).forEach(function (prefix) {
        var cell = root.querySelector('[data-waiting="' + prefix + '"]');
        if (cell) { cell.textContent = waiting[prefix]; }
      });
    });
  }

  function setUpBoard() {
    var root = document.querySelector("[data-hall-board]");
    if (!root) { return; }
    var url = root.getAttribute("data-fragment");
    var pending = false;
    function refresh() {
      if (pending) { return; }
      pending = true;
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { root.innerHTML = html; })
        .catch(function () {})
        .then(function () { pending = false; });
    }
    listen(root.getAttribute("data-stream"), refresh);
    window.setInterval(refresh, 30000); // waits grow even when nothing happens
  }

  /* Kiosk: back to the start screen after the idle time; the server expires the card holder too. */
  function setUpKiosk() {
    var root = document.querySelector("[data-hall-kiosk], [data-hall-print]");
    if (!root) { return; }
    var seconds = parseInt(root.getAttribute("data-idle") || "60", 10);
    var timer;
    function expire() {
      var signOut = document.querySelector("[data-kiosk-sign-out]");
      if (signOut) { signOut.submit(); } else { window.location.href = root.getAttribute("data-home"); }
    }
    function reset() { window.clearTimeout(timer); timer = window.setTimeout(expire, seconds * 1000); }
    ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true });
    });
    if (root.hasAttribute("data-hall-kiosk") && !root.getAttribute("data-signed-in")) {
      window.clearTimeout(timer);
    } else {
      reset();
    }
    var pairing = document.querySelector("[data-pair-status]");
    if (pairing) {
      var poll = window.setInterval(function () {
        fetch(pairing.getAttribute("data-pair-status"), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (state) {
            if (state.signed_in) { window.clearInterval(poll); window.location.reload(); }
            else if (state.expired) { window.clearInterval(poll); window.location.reload(); }
          })
          .catch(function () {});
      }, 2000);
    }
    var printButton = document.querySelector("[data-print]");
    if (printButton) {
      printButton.addEventListener("click", function () { window.print(); });
      window.print();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpTicket();
    setUpDisplay();
    setUpBoard();
    setUpKiosk();
  });
})();
