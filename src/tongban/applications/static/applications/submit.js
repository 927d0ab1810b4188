/* 确认提交 (forms with data-submit-once): the button says what is happening — 正在提交… while the
   request runs, then the confirmation page; if the network or the server fails, the page says so
   and that nothing is lost (everything is saved in the draft) and offers 重新提交. Submitting is
   idempotent on the server, so a retry after a lost answer never makes a second case. Without this
   script the form posts as usual. */
(function () {
  "use strict";

  var english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  var TEXT = english ? {
    busy: "Submitting…",
    wait: "Submitting your application. Please keep this page open.",
    failed: "Your application was not submitted: the connection failed or the service is busy. Nothing is lost: your answers and files are saved in the draft. Try again.",
    retry: "Submit again"
  } : {
    busy: "正在提交…",
    wait: "正在提交，请不要关闭页面。",
    failed: "提交没有成功：网络中断或服务繁忙。您填写的内容和上传的材料都已保存在草稿中，没有丢失，请重新提交。",
    retry: "重新提交"
  };

  function setUp(form) {
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector("[data-submit-status]");
    if (!button || !status || !window.fetch || !window.FormData) { return; }
    var busy = false;

    function fail() {
      busy = false;
      form.removeAttribute("aria-busy");
      button.disabled = false;
      button.textContent = TEXT.retry;
      status.textContent = TEXT.failed;
      status.className = "submit-status submit-status--failed";
      status.setAttribute("role", "alert");
      status.setAttribute("tabindex", "-1");
      status.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy || button.disabled) { return; }
      busy = true;
      form.setAttribute("aria-busy", "true");
      button.disabled = true;
      button.textContent = TEXT.busy;
      status.removeAttribute("role");
      status.className = "submit-status";
      status.textContent = TEXT.wait;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "follow",
        headers: { "Accept": "text/html" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        window.location.assign(response.url);
      }).catch(fail);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submit-once]"), setUp);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
