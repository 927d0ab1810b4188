/* The big screen: draws the figures it was served with, then asks for fresh ones every 30 seconds
   (read-only JSON behind the screen token; a revoked token stops the refresh). */
(function () {
  "use strict";
  var REFRESH_MS = 30000;
  var source = document.body.getAttribute("data-source");
  var cards = ["month-cases", "month-completed", "month-on_time_rate", "month-overdue",
    "month-warned", "month-full_online_rate", "year-cases"];

  function show(data) {
    cards.forEach(function (id) {
      var parts = id.split("-");
      var value = data[parts[0]][parts[1]];
      var node = document.getElementById("scr-" + id);
      if (node) { node.textContent = value === null || value === undefined ? "—" : value; }
    });
    document.getElementById("scr-findings").textContent = data.findings;
    document.getElementById("scr-updated").textContent = data.updated;
    if (window.tongbanCharts) {
      ["status", "channel", "timeliness"].forEach(function (key) {
        window.tongbanCharts.draw(document.getElementById("scr-" + key), data[key]);
      });
    }
  }

  function refresh() {
    fetch(source, { credentials: "omit", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { show(data); document.body.classList.remove("scr-stale"); })
      .catch(function () { document.body.classList.add("scr-stale"); });
  }

  show(JSON.parse(document.getElementById("scr-data").textContent));
  window.setInterval(refresh, REFRESH_MS);
}());
