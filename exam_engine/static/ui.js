/* Small enhancements of the design system, for every page:
   - every table in the page scrolls sideways inside its own box (.table-wrap) instead of
     widening the page on a phone; a box (or plot) that does scroll can be reached and scrolled
     with the keyboard, and is named after its caption or the heading before it;
   - the form error summary takes the focus, so a screen reader reads it first. */
(function () {
  "use strict";
  const main = document.getElementById("main");
  if (!main) return;
  main.querySelectorAll("table").forEach(table => {
    if (table.parentElement.classList.contains("table-wrap")) return;
    const box = document.createElement("div");
    box.className = "table-wrap";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  function nameOf(box) {
    const caption = box.querySelector("caption, figcaption");
    if (caption) return caption.textContent.trim();
    for (let el = box.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) return el.textContent.trim();
    }
    return "";
  }
  function markScrolling() {
    main.querySelectorAll(".table-wrap, .plots figure, figure.plots, .math").forEach(box => {
      const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        const name = nameOf(box);
        if (name) box.setAttribute("aria-label", name);
        box.dataset.scrolls = "";
      } else if (!scrolls && box.dataset.scrolls !== undefined) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrolls;
      }
    });
  }
  markScrolling();
  window.addEventListener("resize", markScrolling);
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();
