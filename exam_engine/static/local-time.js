/* Rewrite <time class="local-time"> in the reader's own time zone and language. */
(function () {
  "use strict";
  const lang = document.documentElement.lang || undefined;
  const fmt = new Intl.DateTimeFormat(lang, {dateStyle: "medium", timeStyle: "short", timeZoneName: "short"});
  document.querySelectorAll("time.local-time").forEach(el => {
    const when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) el.textContent = fmt.format(when);
  });
})();
