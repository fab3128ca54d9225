/* The candidate's exam page: server clock, autosave with offline replay, validation echo,
   navigation with flags, and a summary before submitting. Plain JS, no dependencies. */
(function () {
  "use strict";
  const root = document.getElementById("sitting");
  if (!root) return;
  const text = JSON.parse(document.getElementById("sitting-text").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const attemptId = Number(root.dataset.attempt);
  const clientId = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let deadline = Date.parse(root.dataset.deadline);
  let offset = Date.parse(root.dataset.serverNow) - Date.now(); // server minus browser clock
  const storeKey = "exam-engine:pending:" + attemptId;
  const pending = JSON.parse(localStorage.getItem(storeKey) || "{}"); // part -> {value, seq}
  const seqs = {};
  let offline = false, stopped = false, blocked = false;

  const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => vars[k]);
  const serverNow = () => Date.now() + offset;
  const stateEl = document.getElementById("save-state");
  const alertEl = document.getElementById("sitting-alert");
  const parts = Array.from(document.querySelectorAll(".part"));
  const questions = Array.from(document.querySelectorAll("section.question"));

  function api(method, url, body) {
    return fetch(url, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "X-Client-Id": clientId},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
  function persist() { localStorage.setItem(storeKey, JSON.stringify(pending)); }
  function showState() {
    const waiting = Object.keys(pending).length;
    if (offline && waiting) stateEl.textContent = fill(text.offline, {n: waiting});
    else if (waiting) stateEl.textContent = text.saving;
    else stateEl.textContent = text.saved;
    stateEl.dataset.state = offline && waiting ? "offline" : waiting ? "saving" : "saved";
  }
  function alertMessage(message) { alertEl.hidden = false; alertEl.textContent = message; }
  function post(kind, details) {
    api("POST", `/api/attempts/${attemptId}/events`, Object.assign({kind}, details || {}))
      .catch(() => {});
  }

  /* ---- the clock: always the server's ---- */
  const clockEl = document.getElementById("clock");
  const warnEl = document.getElementById("clock-warning");
  const warned = {};
  // A warning is for crossing its mark while the page is open: an exam shorter than ten
  // minutes (or a page opened with less left) does not start with "10 minutes left".
  {
    const leftAtLoad = deadline - serverNow();
    for (const [mins, key] of [[10, "warn10"], [1, "warn1"]]) {
      if (leftAtLoad <= mins * 60000) warned[key] = true;
    }
  }
  function tick() {
    const left = Math.max(0, deadline - serverNow());
    const s = Math.floor(left / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    clockEl.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" +
      String(sec).padStart(2, "0");
    for (const [mins, key] of [[10, "warn10"], [1, "warn1"]]) {
      if (left <= mins * 60000 && left > 0 && !warned[key]) {
        warned[key] = true; warnEl.hidden = false; warnEl.textContent = text[key];
      }
    }
    if (left <= 0 && !stopped) { stopped = true; alertMessage(text.deadline); flush().finally(finish); }
  }
  async function resync() { // the deadline can move (extra time); the status can change
    try {
      const res = await api("GET", `/api/attempts/${attemptId}`);
      if (!res.ok) return;
      const state = await res.json();
      deadline = Date.parse(state.deadline);
      offset = Date.parse(state.server_now) - Date.now();
      if (state.status !== "open" && !stopped) { stopped = true; finish(); }
    } catch (e) { /* offline: try again later */ }
  }

  /* ---- saving: every change, debounced; replayed in order after a disconnection ---- */
  function valueOf(part) {
    const el = part.querySelector("input.answer");
    if (el) return el.value;
    return Array.from(part.querySelectorAll("input:checked")).map(i => i.value).join(",");
  }
  function queue(part) {
    const key = part.dataset.part;
    seqs[key] = Math.max(seqs[key] || 0, pending[key] ? pending[key].seq : 0) + 1;
    pending[key] = {value: valueOf(part), seq: seqs[key]};
    persist(); showState(); markAnswered();
  }
  /* One flush at a time. A caller that finds one in flight waits for it and then sends what
     was queued meanwhile, so "flush, then submit" never lets the submit overtake a save (the
     server would refuse that save once the attempt is closed). */
  let inflight = null;
  function flush() {
    if (blocked) return Promise.resolve();
    if (inflight) {
      return inflight.then(() => {
        if (!offline && !blocked && Object.keys(pending).length) return flush();
      });
    }
    inflight = send().finally(() => { inflight = null; });
    return inflight;
  }
  async function send() {
    try {
      for (const key of Object.keys(pending).sort((a, b) => pending[a].order - pending[b].order)) {
        const item = pending[key];
        let res;
        try {
          res = await api("PUT", `/api/attempts/${attemptId}/answers/${encodeURIComponent(key)}`,
                          {value: item.value, seq: item.seq});
        } catch (e) {
          offline = true;
          break;
        }
        if (res.status >= 500) { offline = true; break; } // keep it; the server will be back
        if (offline) { offline = false; post("reconnect"); }
        const body = await res.json().catch(() => ({}));
        if (res.ok) {
          if (pending[key] && pending[key].seq === item.seq) delete pending[key];
          persist();
          showEcho(key, body.validation); // null: the echo comes from /api/validate only
        } else if (res.status === 409 && body.error === "stale") {
          blocked = true; alertMessage(text.stale); return;
        } else if (res.status === 409) {
          delete pending[key]; persist();
          if (!stopped) { stopped = true; alertMessage(body.message || text.deadline); finish(); }
          return;
        } else {
          delete pending[key]; persist();
          alertMessage(fill(text.error, {msg: body.message || res.status}));
        }
      }
    } finally {
      showState();
    }
  }
  function finish() {
    api("POST", `/api/attempts/${attemptId}/submit`).then(res => {
      if (res.ok) { localStorage.removeItem(storeKey); window.location.assign(root.dataset.receiptUrl); }
    }).catch(() => setTimeout(finish, 3000));
  }

  /* ---- the validation echo, as the candidate types ---- */
  function showEcho(key, v) {
    const el = document.getElementById(key + "-echo");
    if (!el || !v) return;
    el.classList.toggle("invalid", !v.valid);
    if (v.valid) el.innerHTML = v.mathml || ""; // MathML made by our server from our own LaTeX
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

  /* ---- navigation and flags ---- */
  function show(key, focus) {
    questions.forEach(q => { q.hidden = q.dataset.question !== key; });
    document.querySelectorAll(".nav-item").forEach(a => {
      if (a.dataset.goto === key) a.setAttribute("aria-current", "step");
      else a.removeAttribute("aria-current");
    });
    document.getElementById("summary").hidden = true;
    // Remembered in the address, so a reload comes back to this question.
    if (location.hash !== "#" + key) history.replaceState(null, "", "#" + key);
    if (focus) document.getElementById(key + "-title").focus();
  }
  function markAnswered() {
    questions.forEach(q => {
      const done = Array.from(q.querySelectorAll(".part")).every(p => valueOf(p).trim());
      const link = document.querySelector(`.nav-item[data-goto="${q.dataset.question}"]`);
      if (link) link.classList.toggle("answered", done);
    });
  }
  document.querySelectorAll("[data-goto]").forEach(el => el.addEventListener("click", ev => {
    ev.preventDefault(); show(el.dataset.goto, true);
  }));
  document.querySelectorAll("button.flag").forEach(btn => btn.addEventListener("click", async () => {
    const flagged = btn.getAttribute("aria-pressed") !== "true";
    btn.setAttribute("aria-pressed", String(flagged));
    document.querySelector(`.nav-item[data-goto="${btn.dataset.flag}"]`).classList.toggle("flagged", flagged);
    try {
      await api("PUT", `/api/attempts/${attemptId}/flags/${btn.dataset.flag}`, {flagged});
    } catch (e) { /* a flag is a note to oneself; it is re-sent with the next click */ }
  }));

  let order = 0;
  parts.forEach(part => {
    const key = part.dataset.part;
    seqs[key] = Number(part.dataset.seq || 0);
    if (pending[key]) { // typed while offline last time: put it back in the box
      const el = part.querySelector("input.answer");
      if (el) el.value = pending[key].value;
      else part.querySelectorAll("input").forEach(i => {
        i.checked = pending[key].value.split(",").includes(i.value);
      });
    }
    part.addEventListener("input", () => {
      queue(part); pending[key].order = ++order; persist(); echoSoon(part);
      clearTimeout(timers["s" + key]);
      timers["s" + key] = setTimeout(flush, 600);
    });
    part.addEventListener("paste", () => post("paste", {part: key}));
    if (part.querySelector("input.answer") && valueOf(part)) echoSoon(part);
  });
  window.addEventListener("blur", () => post("focus_lost"));
  window.addEventListener("online", flush);
  window.addEventListener("offline", () => { offline = true; showState(); });
  window.addEventListener("beforeunload", ev => {
    if (Object.keys(pending).length && !stopped) { ev.preventDefault(); ev.returnValue = text.unsaved; }
  });
  setInterval(flush, 3000);
  setInterval(resync, 30000);
  setInterval(tick, 500);
  const fromAddress = location.hash.slice(1);
  const known = questions.some(q => q.dataset.question === fromAddress);
  if (questions.length) show(known ? fromAddress : questions[0].dataset.question, false);
  tick(); showState(); markAnswered(); flush();

  /* ---- review and submit ---- */
  const summary = document.getElementById("summary");
  document.getElementById("review").addEventListener("click", () => {
    const empty = parts.filter(p => !valueOf(p).trim()).map(p => {
      const q = p.closest("section.question");
      return fill(text.question_part, {n: questions.indexOf(q) + 1, part: p.dataset.label});
    });
    const flagged = Array.from(document.querySelectorAll('button.flag[aria-pressed="true"]'))
      .map(b => fill(text.question, {n: questions.indexOf(b.closest("section.question")) + 1}));
    document.getElementById("summary-unanswered").textContent =
      empty.length ? fill(text.unanswered, {list: empty.join(", ")}) : text.all_answered;
    document.getElementById("summary-flagged").textContent =
      flagged.length ? fill(text.flagged, {list: flagged.join(", ")}) : text.none_flagged;
    summary.hidden = false;
    document.getElementById("summary-title").focus();
  });
  document.getElementById("cancel-submit").addEventListener("click", () => { summary.hidden = true; });
  document.getElementById("confirm-submit").addEventListener("click", async () => {
    await flush();
    if (Object.keys(pending).length) { showState(); return; }
    stopped = true; finish();
  });
})();
