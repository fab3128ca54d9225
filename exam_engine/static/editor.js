/* The question editor's live preview: a moment after the author stops typing, the form is sent
   as a "Preview" (which saves nothing) and the preview beside the form is replaced by the new
   one. Without JavaScript the Preview button does the same with a page load. */
(function () {
  "use strict";
  const form = document.getElementById("question-form");
  const live = document.getElementById("live-preview");
  if (!form || !live || !window.fetch || !window.DOMParser) return;
  const ignored = new Set(["try_part", "try_response", "variants"]);
  let timer = null, sent = 0;

  async function refresh() {
    const body = new FormData(form);
    body.set("action", "preview");
    const number = ++sent;
    live.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(form.getAttribute("action") || window.location.href,
                              {method: "POST", body, credentials: "same-origin"});
      if (!res.ok || number !== sent) return;
      const page = new DOMParser().parseFromString(await res.text(), "text/html");
      const fresh = page.getElementById("live-preview");
      // Half-typed YAML gives no preview: keep the last good one until the form reads again.
      if (fresh && fresh.children.length && number === sent) {
        live.replaceChildren(...fresh.childNodes);
      }
    } catch (e) { /* offline: the Preview button still works */ }
    finally { if (number === sent) live.removeAttribute("aria-busy"); }
  }
  form.addEventListener("input", event => {
    if (!event.target.name || ignored.has(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  });
  // Typed before this script arrived, or restored by the browser on "back": the preview shows
  // the page as the server saw it, so ask for the one of what the form holds now.
  const changed = Array.from(form.elements).some(el => el.name && !ignored.has(el.name) &&
    typeof el.defaultValue === "string" && el.type !== "hidden" && el.value !== el.defaultValue);
  if (changed) refresh();
})();
