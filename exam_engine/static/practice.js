/* The practice question on the instructions page: the exam's validation echo, and a check
   against the practice answer. Nothing is saved. */
(function () {
  "use strict";
  const box = document.getElementById("practice");
  if (!box) return;
  const input = document.getElementById("practice-answer");
  const echo = document.getElementById("practice-echo");
  const verdict = document.getElementById("practice-verdict");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let timer = null;

  async function ask(value) {
    const res = await fetch(box.dataset.check, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({value}),
    });
    return res.ok ? res.json() : null;
  }
  function show(result) {
    echo.classList.toggle("invalid", !result.valid);
    if (result.valid) echo.innerHTML = result.mathml || ""; // MathML made by our server
    else echo.textContent = result.message || "";
  }
  function echoSoon() {
    clearTimeout(timer);
    verdict.textContent = "";
    timer = setTimeout(async () => {
      const value = input.value;
      if (!value.trim()) { echo.textContent = ""; return; }
      const result = await ask(value).catch(() => null);
      if (result && input.value === value) show(result);
    }, 250);
  }
  input.addEventListener("input", echoSoon);
  // Typed before this script arrived (a slow connection), or restored by the browser on "back":
  // echo it now, as if it had just been typed.
  if (input.value.trim()) echoSoon();
  document.getElementById("practice-check").addEventListener("click", async () => {
    const value = input.value;
    if (!value.trim()) return;
    const result = await ask(value).catch(() => null);
    if (!result) return;
    show(result);
    verdict.textContent = result.valid ? result.verdict : "";
    verdict.classList.toggle("right", result.correct === true);
  });
})();
