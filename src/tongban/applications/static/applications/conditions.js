// Show a conditional field only while its controlling field has the given value. The server applies
// the same rule (a hidden field is neither required nor submitted), so this is only a convenience.
(function () {
  function valueOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) { return null; }
    var first = inputs[0];
    if (first.type === "checkbox") { return first.checked ? "True" : "False"; }
    if (first.type === "radio") {
      var checked = form.querySelector('[name="' + name + '"]:checked');
      return checked ? checked.value : "";
    }
    return first.value;
  }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var current = valueOf(form, box.getAttribute("data-show-if"));
      if (current === null) { return; }  // controlled by a field on another page: server decides
      box.hidden = current !== box.getAttribute("data-show-value");
    });
  }
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    update(form);
    form.addEventListener("change", function () { update(form); });
  });
})();
