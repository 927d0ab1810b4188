/* Draws each dashboard chart from the JSON next to it (the table under it is the same data and the
   accessible fallback). Larger type in 长者模式; charts become images for printing. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var elderly = document.documentElement.classList.contains("elderly") ||
    document.body.classList.contains("elderly");
  var dark = document.body.classList.contains("sv-screen");
  var size = elderly ? 18 : (dark ? 20 : 13);
  var text = dark ? "#e6f0ff" : "#1f2937";
  var palette = ["#1d5fa8", "#d97706", "#059669", "#b91c1c", "#7c3aed", "#0e7490", "#64748b"];

  function option(spec) {
    var base = {
      color: palette,
      textStyle: { fontSize: size, color: text },
      tooltip: { trigger: spec.type === "pie" ? "item" : "axis", textStyle: { fontSize: size } },
      legend: { top: 0, textStyle: { fontSize: size, color: text } },
      animation: false
    };
    if (spec.type === "pie") {
      base.series = [{
        type: "pie", radius: ["35%", "65%"], top: 30,
        label: { fontSize: size, color: text, formatter: "{b}：{c}" },
        data: spec.categories.map(function (name, i) {
          return { name: name, value: spec.series[0].data[i] };
        })
      }];
      return base;
    }
    base.grid = { left: 60, right: 20, top: 40, bottom: 80, containLabel: true };
    base.xAxis = { type: "category", data: spec.categories,
      axisLabel: { fontSize: size, color: text, rotate: spec.categories.length > 6 ? 30 : 0, interval: 0 } };
    base.yAxis = { type: "value", axisLabel: { fontSize: size, color: text },
      splitLine: { lineStyle: { color: dark ? "#24406b" : "#e5e7eb" } } };
    base.series = spec.series.map(function (s) {
      return { type: "bar", name: s.name, data: s.data, label: { show: spec.categories.length <= 12, position: "top", fontSize: size - 2, color: text } };
    });
    return base;
  }

  var charts = [];
  function draw(node, spec) {
    var chart = window.echarts.getInstanceByDom(node) || window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(option(spec), true);
    charts.push(chart);
    return chart;
  }
  window.tongbanCharts = { draw: draw };

  document.querySelectorAll("[data-chart]").forEach(function (node) {
    var source = document.getElementById(node.getAttribute("data-chart"));
    if (source) { draw(node, JSON.parse(source.textContent)); }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
}());
