// Make a claim from text selected in the article: offsets are counted in the article's
// text content (UTF-16 units, converted on the server) and sent with the selected text.
// The form opens next to the selection (just below its last line), not after the whole text.
(function () {
  "use strict";

  var GAP = 8; // px between the selection and the form
  var shownFor = null; // the range the form is open for, to follow it on resize

  function offsetWithin(root, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(root);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  // Position by CSSOM properties, which the Content-Security-Policy allows (style attributes
  // in the markup it does not).
  function place(form, range) {
    var rects = range.getClientRects();
    var last = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
    form.classList.add("floating");
    form.hidden = false;
    var parent = form.offsetParent || document.body;
    var origin = parent.getBoundingClientRect();
    var room = document.documentElement.clientWidth - form.offsetWidth - GAP;
    var left = Math.max(GAP, Math.min(last.left, room));
    form.style.top = last.bottom - origin.top + parent.scrollTop + GAP + "px";
    form.style.left = left - origin.left + parent.scrollLeft + "px";
  }

  function hide(form) {
    form.hidden = true;
    shownFor = null;
  }

  function onSelection(event) {
    var text = document.getElementById("article-text");
    var form = document.getElementById("selection-claim");
    if (!text || !form) return;
    if (event && form.contains(event.target)) return;
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      if (!form.hidden && event && event.type === "mouseup") hide(form);
      return;
    }
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
    shownFor = range.cloneRange();
    place(form, shownFor);
  }

  document.addEventListener("mouseup", onSelection);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) onSelection(event);
  });
  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("selection-claim");
    if (event.key !== "Escape" || !form || form.hidden) return;
    hide(form);
    window.getSelection().removeAllRanges();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.matches || !event.target.matches("[data-selection-cancel]")) return;
    hide(document.getElementById("selection-claim"));
    window.getSelection().removeAllRanges();
  });
  window.addEventListener("resize", function () {
    var form = document.getElementById("selection-claim");
    if (form && !form.hidden && shownFor) place(form, shownFor);
  });
})();
