/* Tongban 通办 — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  var isEnglish = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  var TEXT = {
    valid: isEnglish ? "✓ Format is valid" : "✓ 号码校验通过",
    checking: isEnglish ? "Checking…" : "正在校验…",
    table: isEnglish ? "Table (scrolls sideways)" : "表格（可左右滑动查看）"
  };

  /* Collapsible main navigation on narrow screens. */
  function setUpNav() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!toggle || !nav) { return; }
    document.documentElement.classList.add("js-nav");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    });
  }

  /* Wide tables scroll sideways on phones: make each scrolling box reachable and named for the
     keyboard (WCAG 2.1.1), after the table's caption or the nearest heading. */
  function setUpScrollingTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.hasAttribute("tabindex")) { continue; }
      var caption = wrap.querySelector("caption");
      var section = wrap.closest("section, .card, .wb-panel");
      var heading = section && section.querySelector("h1, h2, h3");
      var name = (caption || heading || {}).textContent || "";
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", name.replace(/\s+/g, " ").trim() || TEXT.table);
    }
  }

  /* Ask before destructive actions (forms with data-confirm). */
  function setUpConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form && form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { event.preventDefault(); }
    });
  }

  /* Move focus to the error summary so keyboard and screen-reader users hear what went wrong. */
  function focusErrors() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  }

  /* Live identifier checks: inputs with data-check="citizen_id|uscc|region". */
  var FULL_LENGTH = { citizen_id: 18, uscc: 18 };

  function describe(input, id) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(id) === -1) { ids.push(id); }
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  function setUpCheck(input) {
    var type = input.getAttribute("data-check");
    var output = document.createElement("p");
    var outputId = (input.id || ("check-" + Math.random().toString(36).slice(2))) + "_check";
    var sequence = 0;
    var lastValue = null;
    output.id = outputId;
    output.className = "field-check";
    output.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", output);
    describe(input, outputId);

    function show(text, state) {
      output.textContent = text;
      output.className = "field-check" + (state ? " field-check--" + state : "");
    }

    function check() {
      var value = input.value.replace(/\s+/g, "");
      if (!value) { show("", ""); lastValue = null; return; }
      if (value === lastValue) { return; }
      lastValue = value;
      var mine = ++sequence;
      show(TEXT.checking, "");
      fetch("/api/v1/identifiers/check", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        credentials: "omit",
        body: JSON.stringify({ type: type, value: value })
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (result) {
        if (mine !== sequence) { return; }
        if (result.valid) {
          var place = result.details && result.details.full_name;
          show(place ? "✓ " + place : TEXT.valid, "ok");
        }
        else { show(result.reason || "", "bad"); }
      }).catch(function () {
        // Throttled or offline: say nothing; the server checks again on submit.
        if (mine === sequence) { show("", ""); lastValue = null; }
      });
    }

    input.addEventListener("blur", check);
    input.addEventListener("input", function () {
      var full = FULL_LENGTH[type];
      var value = input.value.replace(/\s+/g, "");
      if (full && value.length >= full) { check(); }
      else if (output.textContent) { show("", ""); lastValue = null; }
    });
  }

  /* Print buttons (data-print): the page's own print style leaves out the navigation. No inline
     onclick: the Content-Security-Policy allows no inline script. A button may start hidden, so
     that it shows only where the script runs (printing needs it). */
  function setUpPrint() {
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }

  /* Countdowns (data-countdown="seconds"): the number falls each second, then shows
     data-expired-text. */
  function setUpCountdowns() {
    var counters = document.querySelectorAll("[data-countdown]");
    Array.prototype.forEach.call(counters, function (el) {
      var left = parseInt(el.getAttribute("data-countdown"), 10);
      if (isNaN(left)) { return; }
      var timer = setInterval(function () {
        left -= 1;
        el.textContent = Math.max(left, 0);
        if (left <= 0) {
          clearInterval(timer);
          el.textContent = el.getAttribute("data-expired-text") || "0";
        }
      }, 1000);
    });
  }

  /* Copy buttons (data-copy="text"): a long number copied as it must be typed, without the spaces
     it is shown with. Shown only where the script runs (and the clipboard is there). */
  function setUpCopy() {
    var buttons = document.querySelectorAll("[data-copy]");
    if (!navigator.clipboard) { return; }
    Array.prototype.forEach.call(buttons, function (button) {
      var label = button.firstChild && button.firstChild.nodeValue;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
          if (button.firstChild) { button.firstChild.nodeValue = isEnglish ? "Copied" : "已复制"; }
          setTimeout(function () { if (button.firstChild) { button.firstChild.nodeValue = label; } }, 2000);
        });
      });
    });
  }

  // A long list of checkboxes with a name filter above it (the enterprise's 经办人 authorisation
  // picks items by name): typing hides the rows whose name does not contain the words; ticked
  // rows always stay in view, and the count of ticked items is kept beside the list.
  function setUpFilterLists() {
    var inputs = document.querySelectorAll("input[data-filter-list]");
    Array.prototype.forEach.call(inputs, function (input) {
      var list = document.getElementById(input.getAttribute("data-filter-list"));
      if (!list) { return; }
      var box = input.closest("[data-filter-box]");
      var picker = input.closest("fieldset") || list.parentNode;
      var empty = picker.querySelector("[data-filter-empty]");
      var count = picker.querySelector("[data-picked-count]");
      var rows = list.querySelectorAll("label");
      if (box) { box.hidden = false; }
      function apply() {
        var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0, picked = 0;
        Array.prototype.forEach.call(rows, function (row) {
          var text = row.textContent.toLowerCase();
          var ticked = row.querySelector("input").checked;
          var match = ticked || words.every(function (w) { return text.indexOf(w) !== -1; });
          row.hidden = !match;
          if (match) { shown++; }
          if (ticked) { picked++; }
        });
        if (empty) { empty.hidden = shown > 0; }
        if (count) { count.textContent = (count.getAttribute("data-template") || "").replace("{n}", picked); }
      }
      input.addEventListener("input", apply);
      list.addEventListener("change", apply);
      apply();
    });
  }

  function init() {
    setUpNav();
    setUpFilterLists();
    setUpCopy();
    setUpScrollingTables();
    setUpConfirm();
    setUpPrint();
    setUpCountdowns();
    focusErrors();
    var inputs = document.querySelectorAll("input[data-check]");
    for (var i = 0; i < inputs.length; i++) { setUpCheck(inputs[i]); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
