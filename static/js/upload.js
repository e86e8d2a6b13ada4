// Refuse a file over the upload limit before the browser sends it: the server would answer
// 413 without reading it, which an htmx form cannot show.
(function () {
  "use strict";

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "") + " MB";
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var limit = parseInt(input.dataset.maxBytes, 10);
    var file = input.files && input.files[0];
    if (file && file.size > limit) {
      input.setCustomValidity(
        "The file is too large (" + megabytes(file.size) + "). The limit is " + megabytes(limit) + "."
      );
      input.reportValidity();
    } else {
      input.setCustomValidity("");
    }
  });
})();
