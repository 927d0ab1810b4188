/* 12345 work orders — progressive enhancements; the forms work without this file. */
(function () {
  "use strict";

  /* "使用当前位置": fill longitude and latitude from the device's GPS. */
  function setUpLocate() {
    var button = document.querySelector("[data-locate]");
    if (!button || !navigator.geolocation) { return; }
    var status = document.querySelector("[data-locate-status]");
    button.addEventListener("click", function () {
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (position) {
        document.querySelector("[data-lng]").value = position.coords.longitude.toFixed(6);
        document.querySelector("[data-lat]").value = position.coords.latitude.toFixed(6);
        status.textContent = "已定位";
      }, function () { status.textContent = "无法获取位置，请手动填写地址"; }, { timeout: 10000 });
    });
  }

  /* While the citizen types, ask the classifier which category and department it would suggest. */
  function setUpSuggestion() {
    var text = document.querySelector("[data-classify]");
    var out = document.querySelector("[data-suggestion]");
    if (!text || !out || !window.fetch) { return; }
    var timer = null;
    text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (text.value.trim().length < 6) { out.textContent = ""; return; }
        fetch(text.getAttribute("data-classify"), {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ text: text.value })
        }).then(function (response) { return response.ok ? response.json() : null; })
          .then(function (body) {
            if (!body) { out.textContent = ""; return; }
            out.textContent = "智能识别：" + body.category_name +
              (body.department ? "，承办部门：" + body.department.name : "") +
              (body.confident ? "" : "（把握不大，将由派单员确认）");
          }).catch(function () { out.textContent = ""; });
      }, 500);
    });
  }

  /* Choosing a knowledge-base article puts its answer into the reply box. */
  function setUpKnowledge() {
    var box = document.querySelector("[data-answer-text]");
    if (!box) { return; }
    var radios = document.querySelectorAll("[data-answer]");
    for (var i = 0; i < radios.length; i++) {
      radios[i].addEventListener("change", function (event) {
        box.value = event.target.getAttribute("data-answer");
      });
    }
  }

  setUpLocate();
  setUpSuggestion();
  setUpKnowledge();
})();
