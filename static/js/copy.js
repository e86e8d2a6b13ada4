// "Copy link" buttons: <button data-copy-target="ID" hidden> copies the value of the field ID.
// The button stays hidden without JavaScript (the field can still be selected by hand); where
// the clipboard is not available (plain http, an old browser) the text is selected instead.
(function () {
  "use strict";
  if (window.factcheckCopyLinks) return; // loaded once per page, however many links it has
  window.factcheckCopyLinks = true;

  function say(button, text) {
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (status) status.textContent = text;
  }

  function selectText(field, button) {
    field.focus();
    field.select();
    say(button, "Selected: press Ctrl+C (⌘C on a Mac) to copy.");
  }

  function reveal(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    if (!navigator.clipboard || !window.isSecureContext) {
      selectText(field, button);
      return;
    }
    navigator.clipboard.writeText(field.value).then(
      function () { say(button, "Copied."); },
      function () { selectText(field, button); }
    );
  });

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  // Regions swapped in by htmx (the verdict after publishing) get their buttons too.
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });
  if (document.readyState !== "loading") reveal(document);
})();
