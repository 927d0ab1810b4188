/* The material upload control (forms with data-upload): one large "拍照/选择文件" button, or a file
   dropped on the row; the file is checked here (kind and size, in words) and uploaded as soon as it
   is chosen, so a chosen file is never left behind when the person moves on. Without this script
   the plain file input and its 上传 button do the same. The server checks every file again. */
(function () {
  "use strict";

  var english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  var KINDS = ["application/pdf", "image/jpeg", "image/png"];
  var EXTENSIONS = /\.(pdf|jpe?g|png)$/i;

  function size(bytes) {
    if (bytes >= 1024 * 1024) { return (bytes / 1024 / 1024).toFixed(1) + " MB"; }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function problem(file, limit) {
    if (!file.size) {
      return english ? "The file “" + file.name + "” is empty. Choose another file."
        : "文件“" + file.name + "”是空的，请重新选择。";
    }
    if (KINDS.indexOf(file.type) === -1 && !EXTENSIONS.test(file.name)) {
      return english ? "“" + file.name + "” is not a PDF, JPG or PNG file. Choose a PDF, JPG or PNG file."
        : "“" + file.name + "”不是 PDF、JPG 或 PNG 文件，请选择这三种格式的文件。";
    }
    if (limit && file.size > limit) {
      var mb = Math.round(limit / 1024 / 1024);
      return english ? "File too large: “" + file.name + "” is " + size(file.size) + "; a file may be at most " + mb + " MB. Compress it or upload it in parts."
        : "文件过大：单个文件不能超过 " + mb + " MB，请压缩或分页上传（“" + file.name + "”有 " + size(file.size) + "）。";
    }
    return "";
  }

  function setUp(form) {
    var input = form.querySelector("input[type=file]");
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("[data-upload-button]");
    var drop = form.querySelector(".upload-drop");
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    if (!input || !status) { return; }
    form.classList.add("upload-row--js");
    if (button) { button.hidden = true; }

    function say(text, bad) {
      status.textContent = text;
      status.classList.toggle("upload-drop__status--error", !!bad);
    }

    function send(file) {
      var bad = problem(file, limit);
      if (bad) { say(bad, true); input.value = ""; return; }
      say((english ? "Uploading " : "正在上传：") + file.name + "（" + size(file.size) + "）…", false);
      form.setAttribute("aria-busy", "true");
      form.submit();
    }

    input.addEventListener("change", function () {
      if (input.files && input.files[0]) { send(input.files[0]); }
    });
    if (!drop) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) {
        event.preventDefault();
        drop.classList.add("upload-drop--over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove("upload-drop--over"); });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) { return; }
      try { input.files = files; } catch (ignored) { /* old browsers: the button still works */ }
      send(files[0]);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), setUp);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
