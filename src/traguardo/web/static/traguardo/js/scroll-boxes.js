// A table wider than the screen scrolls inside its .table-responsive box. A box that scrolls
// must be reachable with the keyboard (WCAG 2.1.1): while it scrolls it is a tab stop named by
// its table's caption; when everything fits it is a plain box again (no useless tab stop).
(function () {
  "use strict";
  let counter = 0;

  function mark(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const caption = box.querySelector("caption");
      if (caption && !caption.id) caption.id = "tabella-scorrevole-" + ++counter;
      box.tabIndex = 0;
      box.setAttribute("role", "group");
      if (caption) box.setAttribute("aria-labelledby", caption.id);
    } else if (box.hasAttribute("tabindex")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-labelledby");
    }
  }

  function markAll() {
    document.querySelectorAll(".table-responsive").forEach(mark);
  }

  let pending = 0;
  function later() {
    window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(markAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markAll);
  } else {
    markAll();
  }
  window.addEventListener("resize", later);
  // A disclosure opened, or a fragment swapped in by htmx, may bring a wide table.
  document.addEventListener("toggle", later, true);
  document.addEventListener("htmx:afterSettle", later);
})();
