// Make a claim from text selected in the article: offsets are counted in the article's
// text content (UTF-16 units, converted on the server) and sent with the selected text.
(function () {
  "use strict";

  function offsetWithin(root, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(root);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function onSelection() {
    var text = document.getElementById("article-text");
    var form = document.getElementById("selection-claim");
    if (!text || !form) return;
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
    // A long article is shown a part at a time; data-offset is where this part starts.
    var base = parseInt(text.dataset.offset || "0", 10);
    var start = base + offsetWithin(text, range.startContainer, range.startOffset);
    var end = base + offsetWithin(text, range.endContainer, range.endOffset);
    if (end <= start) return;
    form.elements.start.value = start;
    form.elements.end.value = end;
    form.elements.text.value = range.toString();
    document.getElementById("selection-preview").textContent = range.toString();
    form.hidden = false;
  }

  document.addEventListener("mouseup", onSelection);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) onSelection();
  });
})();
