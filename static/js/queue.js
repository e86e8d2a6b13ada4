// The claim queue: "select all", a live count of the selected claims, and filters that
// apply as soon as one changes. Without this file the queue still works: each claim has its
// own checkbox and the filter form has a Filter button.
(function () {
  "use strict";

  var CLAIM_BOXES = 'input[type="checkbox"][name="claims"][form="bulk-form"]';

  function update() {
    var boxes = document.querySelectorAll(CLAIM_BOXES);
    var chosen = 0;
    boxes.forEach(function (box) { if (box.checked) chosen += 1; });
    document.querySelectorAll("[data-select-all]").forEach(function (toggle) {
      toggle.hidden = boxes.length === 0;
      toggle.checked = boxes.length > 0 && chosen === boxes.length;
      toggle.indeterminate = chosen > 0 && chosen < boxes.length;
    });
    document.querySelectorAll("[data-selection-count]").forEach(function (out) {
      out.hidden = false;
      out.textContent = chosen + " selected";
    });
  }

  function submitOnChange(field) {
    var form = field.form;
    if (!form || !form.hasAttribute("data-submit-on-change")) return;
    // With htmx the search box applies as one types; without it, on leaving the box.
    if (field.type === "text" && window.htmx) return;
    if (form.requestSubmit) {
      form.requestSubmit();  // htmx hears the submit and swaps in the results
    } else {
      form.submit();
    }
  }

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches("[data-select-all]")) {
      document.querySelectorAll(CLAIM_BOXES).forEach(function (box) {
        box.checked = field.checked;
      });
      update();
    } else if (field.matches(CLAIM_BOXES)) {
      update();
    } else {
      submitOnChange(field);
    }
  });

  document.addEventListener("DOMContentLoaded", update);
  // New results from htmx (filters, pages): their boxes start unselected.
  document.addEventListener("htmx:afterSettle", update);
})();
