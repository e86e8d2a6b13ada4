// Every page: the header's menus (Escape and a click elsewhere close them) and keyboard focus
// across htmx swaps (a swapped-out form took the focus with it; put it back in the new one).
(function () {
  "use strict";

  var MENUS = "details.menu[open], details.site-menu[open]";

  // A wide screen shows the main menu whatever its <details> says (app.css, ::details-content).
  // A browser without ::details-content support gets it opened instead.
  function openWideMenu() {
    var menu = document.getElementById("site-menu");
    if (!menu || CSS.supports("selector(::details-content)")) return;
    if (window.matchMedia("(min-width: 721px)").matches) menu.open = true;
  }

  function isWideMainMenu(menu) {
    return menu.id === "site-menu" && window.matchMedia("(min-width: 721px)").matches;
  }

  function closeMenu(menu, refocus) {
    if (isWideMainMenu(menu)) return;
    menu.open = false;
    if (refocus) menu.querySelector("summary").focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = Array.prototype.slice.call(document.querySelectorAll(MENUS));
    var holding = open.filter(function (menu) {
      return menu.contains(document.activeElement) && !isWideMainMenu(menu);
    });
    if (holding.length) {
      // The innermost menu holding the focus closes; the next Escape closes its parent.
      closeMenu(holding[holding.length - 1], true);
    } else {
      open.forEach(function (menu) { closeMenu(menu, false); });
    }
  });

  document.addEventListener("click", function (event) {
    document.querySelectorAll(MENUS).forEach(function (menu) {
      if (!menu.contains(event.target)) closeMenu(menu, false);
    });
  });

  // Opening one of the header's small menus closes the other.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details.menu[open]")) return;
    document.querySelectorAll("details.menu[open]").forEach(function (other) {
      if (other !== menu && !other.contains(menu)) other.open = false;
    });
  }, true);

  // --- Focus across htmx swaps ----------------------------------------------------------

  // Where the focus was when a request left, by request: the region it replaces and the
  // element (or form) that had the focus there.
  var leaving = new WeakMap();

  function locator(element) {
    if (!element || element === document.body) return null;
    if (element.id) return "#" + CSS.escape(element.id);
    var form = element.form || element.closest("form");
    var scope = form && form.id ? "#" + CSS.escape(form.id) + " " : "";
    if (element.name) {
      var value = element.value ? '[value="' + CSS.escape(element.value) + '"]' : "";
      return scope + element.tagName.toLowerCase() + '[name="' + CSS.escape(element.name) + '"]' + value;
    }
    if (element.getAttribute("href")) {
      return scope + 'a[href="' + CSS.escape(element.getAttribute("href")) + '"]';
    }
    return form && form.id ? "#" + CSS.escape(form.id) : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    if (!target || !target.id || !active) return;
    if (!target.contains(active) && !(event.detail.elt && event.detail.elt.contains(active))) return;
    var form = active.form || active.closest("form");
    leaving.set(event.detail.xhr, {
      region: target.id,
      at: locator(active),
      form: form && form.id ? form.id : null
    });
  });

  function firstField(root) {
    return root.querySelector(
      "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])"
    );
  }

  function focusIn(region, was) {
    var invalid = region.querySelector(
      ".has-error input, .has-error select, .has-error textarea, [aria-invalid=true]"
    );
    var same = was.at ? region.querySelector(was.at) : null;
    var form = was.form ? document.getElementById(was.form) : null;
    var alert = region.querySelector("[role=alert]");
    var choice = invalid || alert || same || (form && region.contains(form) && firstField(form));
    if (!choice) {
      choice = region;
      if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    }
    if (choice.getAttribute("role") === "alert" && !choice.hasAttribute("tabindex")) {
      choice.setAttribute("tabindex", "-1");
    }
    choice.focus();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var was = event.detail.xhr && leaving.get(event.detail.xhr);
    if (!was) return;
    leaving.delete(event.detail.xhr);
    var region = document.getElementById(was.region);
    var active = document.activeElement;
    // Only when the swap took the focus away: never pull it from where the user went since.
    if (!region || (active && active !== document.body && document.contains(active))) return;
    focusIn(region, was);
  });

  document.addEventListener("DOMContentLoaded", openWideMenu);
})();
