// Every page: the header's menus (Escape and a click elsewhere close them) and keyboard focus
// across htmx swaps (a swapped-out form took the focus with it; put it back in the new one).
(function () {
  "use strict";

  var MENUS = "details.menu[open], details.site-menu[open]";

  // A wide screen shows the main menu (and the queue's filters) whatever their <details> say
  // (app.css, ::details-content). A browser without ::details-content support gets them opened.
  function openWideMenu() {
    if (CSS.supports("selector(::details-content)")) return;
    if (!window.matchMedia("(min-width: 721px)").matches) return;
    document.querySelectorAll("#site-menu, details.queue-filters").forEach(function (menu) {
      menu.open = true;
    });
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

  // Where the focus was when a request left, by request: the region it replaces, the form
  // that sent it, the element that had the focus there and the submit button clicked.
  var leaving = new WeakMap();
  // The button that submitted each form, heard before htmx's own submit handler sends it: a
  // mouse click does not focus a button in every browser (Safari, Firefox on macOS).
  var submitters = new WeakMap();

  // How to find `element` again in the new copy of its region: by id, by name (and value),
  // by href, else by its place among its form's controls.
  function locator(element) {
    if (!element || element === document.body) return null;
    if (element.id) return { selector: "#" + CSS.escape(element.id) };
    var form = element.form || element.closest("form");
    var scope = form && form.id ? "#" + CSS.escape(form.id) + " " : "";
    if (element.name) {
      var value = element.value ? '[value="' + CSS.escape(element.value) + '"]' : "";
      var tag = element.tagName.toLowerCase();
      return { selector: scope + tag + '[name="' + CSS.escape(element.name) + '"]' + value };
    }
    if (element.getAttribute("href")) {
      return { selector: scope + 'a[href="' + CSS.escape(element.getAttribute("href")) + '"]' };
    }
    if (form && form.id && element.form === form) {
      return { form: form.id, index: Array.prototype.indexOf.call(form.elements, element) };
    }
    return null;
  }

  function find(region, where) {
    if (!where) return null;
    if (where.selector) return region.querySelector(where.selector);
    var form = document.getElementById(where.form);
    return form && region.contains(form) ? form.elements[where.index] || null : null;
  }

  document.addEventListener("submit", function (event) {
    if (event.submitter) submitters.set(event.target, event.submitter);
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    var elt = event.detail.elt;
    var active = document.activeElement;
    if (!target || !target.id) return;
    var form = elt && elt.tagName === "FORM" ? elt : active && (active.form || active.closest("form"));
    var holding = active && active !== document.body &&
      (target.contains(active) || (elt && elt.contains(active)));
    // A form saved with the mouse may leave the focus on <body>: it still goes back there.
    if (!holding && !(form && target.contains(form))) return;
    var submitter = form ? submitters.get(form) : null;
    if (form) submitters.delete(form);
    leaving.set(event.detail.xhr, {
      region: target.id,
      at: holding ? locator(active) : null,
      submitter: submitter ? locator(submitter) : null,
      form: form && form.id ? form.id : null
    });
  });

  function firstField(root) {
    return root.querySelector(
      "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])"
    );
  }

  function focusable(element) {
    if (element.getAttribute("role") === "alert" && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    return document.activeElement === element;
  }

  // The form's first error (the save failed: say why), else the field that had the focus,
  // else the button clicked or the form's first field, else a message in the region (not
  // before: the verdict's region always has the ClaimReview advice), else the region itself.
  function focusIn(region, was) {
    var form = was.form ? document.getElementById(was.form) : null;
    if (form && !region.contains(form)) form = null;
    var candidates = [
      region.querySelector(
        ".has-error input, .has-error select, .has-error textarea, [aria-invalid=true]"
      ),
      form && form.querySelector("[role=alert]"),
      find(region, was.at),
      find(region, was.submitter),
      form && firstField(form),
      region.querySelector("[role=alert], [role=status]")
    ];
    for (var i = 0; i < candidates.length; i += 1) {
      if (candidates[i] && focusable(candidates[i])) return;
    }
    if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    region.focus();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var was = event.detail.xhr && leaving.get(event.detail.xhr);
    if (!was) return;
    leaving.delete(event.detail.xhr);
    var region = document.getElementById(was.region);
    var active = document.activeElement;
    // Only when the swap took the focus away (or a mouse save left it on <body>): never pull
    // it from where the user went since.
    if (!region || (active && active !== document.body && document.contains(active))) return;
    focusIn(region, was);
  });

  document.addEventListener("DOMContentLoaded", openWideMenu);
})();
