/* The candidate's exam page: server clock, autosave with offline replay, validation echo. */
(function () {
  "use strict";
  const root = document.getElementById("sitting");
  if (!root) return;
  const text = JSON.parse(document.getElementById("sitting-text").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const attemptId = Number(root.dataset.attempt);
  const deadline = Date.parse(root.dataset.deadline);
  const offset = Date.parse(root.dataset.serverNow) - Date.now(); // server minus browser clock
  const storeKey = "exam-engine:pending:" + attemptId;
  const pending = JSON.parse(localStorage.getItem(storeKey) || "{}"); // part -> {value, seq}
  const seqs = {};
  let flushing = false, offline = false, stopped = false;

  const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => vars[k]);
  const serverNow = () => Date.now() + offset;
  const stateEl = document.getElementById("save-state");

  function api(method, url, body) {
    return fetch(url, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
  function persist() { localStorage.setItem(storeKey, JSON.stringify(pending)); }
  function showState() {
    const waiting = Object.keys(pending).length;
    if (offline && waiting) stateEl.textContent = fill(text.offline, {n: waiting});
    else if (waiting) stateEl.textContent = text.saving;
    else stateEl.textContent = text.saved;
  }
  function post(kind, details) {
    api("POST", `/api/attempts/${attemptId}/events`, Object.assign({kind}, details || {})).catch(() => {});
  }

  /* ---- the clock ---- */
  const clockEl = document.getElementById("clock");
  const warnEl = document.getElementById("clock-warning");
  const warned = {};
  function tick() {
    const left = Math.max(0, deadline - serverNow());
    const s = Math.floor(left / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    clockEl.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(sec).padStart(2, "0");
    for (const [mins, key] of [[10, "warn10"], [1, "warn1"]]) {
      if (left <= mins * 60000 && left > 0 && !warned[key]) {
        warned[key] = true; warnEl.hidden = false; warnEl.textContent = text[key];
      }
    }
    if (left <= 0 && !stopped) { stopped = true; flush().finally(finish); }
  }

  /* ---- saving ---- */
  function valueOf(part) {
    const el = part.querySelector("input.answer");
    if (el) return el.value;
    return Array.from(part.querySelectorAll("input:checked")).map(i => i.value).join(",");
  }
  function queue(part) {
    const key = part.dataset.part;
    seqs[key] = Math.max(seqs[key] || 0, pending[key] ? pending[key].seq : 0) + 1;
    pending[key] = {value: valueOf(part), seq: seqs[key]};
    persist(); showState();
  }
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const key of Object.keys(pending)) {
        const item = pending[key];
        let res;
        try {
          res = await api("PUT", `/api/attempts/${attemptId}/answers/${encodeURIComponent(key)}`, item);
        } catch (e) {
          if (!offline) { offline = true; }
          break;
        }
        if (offline) { offline = false; post("reconnect"); }
        if (res.ok) {
          const body = await res.json();
          if (pending[key] && pending[key].seq === item.seq) delete pending[key];
          persist();
          showEcho(key, body.validation);
        } else if (res.status === 409) {
          const body = await res.json().catch(() => ({}));
          if (body.error === "deadline passed" || body.error === "attempt closed") { finish(); return; }
          delete pending[key]; persist(); stateEl.textContent = text.stale; return;
        } else if (res.status >= 500) {
          break; // the server will be back; keep the answer and try again
        } else {
          const body = await res.json().catch(() => ({}));
          delete pending[key]; persist();
          stateEl.textContent = fill(text.error, {msg: body.message || res.status});
          return;
        }
      }
    } finally {
      flushing = false;
      showState();
    }
  }
  function finish() {
    localStorage.removeItem(storeKey);
    api("POST", `/api/attempts/${attemptId}/submit`).finally(() => {
      window.location.assign(root.dataset.receiptUrl);
    });
  }

  /* ---- the validation echo ---- */
  function showEcho(key, v) {
    const el = document.getElementById(key + "-echo");
    if (!el || !v) return;
    el.classList.toggle("invalid", !v.valid);
    if (v.valid) el.innerHTML = v.mathml || "";
    else el.textContent = v.message || "";
  }
  const timers = {};
  function echoSoon(part) {
    const key = part.dataset.part;
    clearTimeout(timers["v" + key]);
    timers["v" + key] = setTimeout(async () => {
      const value = valueOf(part);
      if (!value.trim()) { showEcho(key, {valid: true, mathml: ""}); return; }
      try {
        const res = await api("POST", "/api/validate", {value, attempt_id: attemptId, part_key: key});
        if (res.ok && valueOf(part) === value) showEcho(key, await res.json());
      } catch (e) { /* offline: the echo comes back with the connection */ }
    }, 250);
  }

  document.querySelectorAll(".part").forEach(part => {
    seqs[part.dataset.part] = Number(part.dataset.seq || 0);
    const key = part.dataset.part;
    if (pending[key]) { // typed while offline last time: put it back in the box
      const el = part.querySelector("input.answer");
      if (el) el.value = pending[key].value;
    }
    part.addEventListener("input", () => {
      queue(part); echoSoon(part);
      clearTimeout(timers["s" + key]);
      timers["s" + key] = setTimeout(flush, 700);
    });
    part.addEventListener("paste", () => post("paste", {part: key}));
    if (part.querySelector("input.answer") && valueOf(part)) echoSoon(part);
  });
  window.addEventListener("blur", () => post("focus_lost"));
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  setInterval(tick, 500);
  tick(); showState(); flush();

  /* ---- review and submit ---- */
  const summary = document.getElementById("summary");
  document.getElementById("review").addEventListener("click", () => {
    const empty = Array.from(document.querySelectorAll(".part")).filter(p => !valueOf(p).trim());
    document.getElementById("summary-text").textContent = empty.length
      ? fill(text.unanswered, {n: empty.length}) : text.all_answered;
    summary.hidden = false;
    document.getElementById("confirm-submit").focus();
  });
  document.getElementById("cancel-submit").addEventListener("click", () => { summary.hidden = true; });
  document.getElementById("confirm-submit").addEventListener("click", async () => {
    await flush();
    if (Object.keys(pending).length) { showState(); return; }
    stopped = true; finish();
  });
})();
