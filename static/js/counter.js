// Live character counter for fields with data-counter="N" (the advised length).
(function () {
  "use strict";

  function update(field) {
    var out = document.querySelector('[data-counter-for="' + field.id + '"]');
    if (!out) return;
    var advised = parseInt(field.getAttribute("data-counter"), 10);
    var used = field.value.length;
    out.textContent = used + " / " + advised + " characters" +
      (used > advised ? " — longer than search engines show" : "");
    out.classList.toggle("over", used > advised);
  }

  function bind(root) {
    root.querySelectorAll("[data-counter]").forEach(function (field) {
      update(field);
      field.addEventListener("input", function () { update(field); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  // Forms swapped in by htmx get their counters too.
  document.addEventListener("htmx:afterSettle", function (event) { bind(event.target); });
})();
