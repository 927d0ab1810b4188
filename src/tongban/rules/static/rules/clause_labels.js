/* Rule editor: each clause's heading follows the clause as it is edited — its 条款说明 (or number)
   in the legend, and the judgement as one line (数据项（计算） 比较 值), the same line the server
   renders (rules.editor.describe). The page works without this file. */
(function () {
  "use strict";

  function field(fieldset, name) {
    return fieldset.querySelector("[name$='-" + name + "']");
  }

  function value(fieldset, name) {
    var el = field(fieldset, name);
    return el ? el.value.trim() : "";
  }

  function optionText(fieldset, name) {
    var el = field(fieldset, name);
    if (!el || !el.value || el.selectedIndex < 0) { return ""; }
    return el.options[el.selectedIndex].text.trim();
  }

  function describe(fieldset) {
    var noValue = (fieldset.getAttribute("data-no-value") || "").split(" ");
    var element = optionText(fieldset, "element");
    var transform = value(fieldset, "transform");
    var operator = value(fieldset, "operator");
    var parts = [];
    if (element) {
      parts.push(transform && transform !== "value" ? element + "（" + optionText(fieldset, "transform") + "）" : element);
    }
    if (operator) {
      parts.push(optionText(fieldset, "operator"));
      var v = value(fieldset, "value");
      var v2 = value(fieldset, "value2");
      if (noValue.indexOf(operator) === -1 && v) {
        parts.push(operator === "between" && v2 ? v + " — " + v2 : v);
      }
    }
    return parts.join(" ");
  }

  function update(fieldset) {
    var heading = fieldset.querySelector("[data-clause-heading]");
    var judgement = fieldset.querySelector("[data-clause-judgement]");
    var title = value(fieldset, "label") || value(fieldset, "clause");
    if (heading) { heading.textContent = title ? "：" + title : ""; }
    if (judgement) {
      var line = describe(fieldset);
      judgement.textContent = line
        ? judgement.getAttribute("data-prefix") + line
        : judgement.getAttribute("data-empty");
    }
  }

  document.querySelectorAll("[data-clause]").forEach(function (fieldset) {
    fieldset.addEventListener("input", function () { update(fieldset); });
    fieldset.addEventListener("change", function () { update(fieldset); });
  });
})();
