/* Rewrite <time class="local-time"> in the reader's own time zone and language. */
(function () {
  "use strict";
  const lang = document.documentElement.lang || undefined;
  // Date and time fields one by one: Chromium refuses timeZoneName together with dateStyle.
  const options = {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  };
  let fmt;
  try {
    fmt = new Intl.DateTimeFormat(lang, options);
  } catch (err) {
    fmt = new Intl.DateTimeFormat(undefined, options);
  }
  document.querySelectorAll("time.local-time").forEach(el => {
    const when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) el.textContent = fmt.format(when);
  });
})();
