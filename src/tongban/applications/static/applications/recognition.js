// 材料识别: while the worker reads an upload, ask for its panel again every two seconds and put it
// in place; a finished panel has no data-poll and the asking stops. Without script the panel has
// a refresh link.
(function () {
  "use strict";
  function poll(panel) {
    var url = panel.getAttribute("data-poll");
    if (!url || panel.dataset.polling) { return; }
    panel.dataset.polling = "1";
    var tries = 0;
    function ask() {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (!html) { return; }
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          var fresh = holder.querySelector(".recognition");
          if (!fresh) { return; }
          if (fresh.getAttribute("data-poll")) {
            if (tries < 90) { window.setTimeout(ask, 2000); }
            return;
          }
          if (panel.getAttribute("data-poll-reload")) { window.location.reload(); return; }
          panel.replaceWith(fresh);
        })
        .catch(function () { if (tries < 90) { window.setTimeout(ask, 4000); } });
    }
    window.setTimeout(ask, 1500);
  }
  function start() { document.querySelectorAll(".recognition[data-poll]").forEach(poll); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
