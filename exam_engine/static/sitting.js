/* The candidate's exam page: server clock, autosave with offline replay, validation echo,
   navigation with answer states and flags, and a summary before submitting. Plain JS.

   Rules (docs/api.md, "The page"):
   - The server owns the end. At zero the page asks the server to finalise; the server closes
     only if the deadline (with any time added) has passed, else answers with the new deadline.
     Every save's answer brings the deadline; a page that heard nothing for HEARTBEAT_SECONDS
     (data-heartbeat) asks for it, and so does a page the candidate comes back to (a tab
     shown again) if it heard nothing for two seconds.
   - Two tabs, one truth. A part's next save carries seq = (highest seq this page knows the
     server holds, or has sent itself) + 1, so a save typed on top of an older value is refused
     (409 stale) by the server's order; the page then shows the stored value and offers to keep
     its own as a new save. Local copies (localStorage) only ever hold unacknowledged saves.
   - Submit always works: it flushes what it can, then submits. */
(function () {
  "use strict";
  const root = document.getElementById("sitting");
  if (!root) return;
  const text = JSON.parse(document.getElementById("sitting-text").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const attemptId = Number(root.dataset.attempt);
  const clientId = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const base = `/api/attempts/${attemptId}`;
  let deadline = Date.parse(root.dataset.deadline);
  let offset = Date.parse(root.dataset.serverNow) - Date.now(); // server minus browser clock
  let lastHeard = Date.now();
  const heartbeatMs = 1000 * (Number(root.dataset.heartbeat) || 15);
  // Each page keeps its unacknowledged saves under its own key (tabs of one browser share
  // localStorage); a page that opens adopts whatever earlier pages of this attempt left.
  const storePrefix = "exam-engine:pending:" + attemptId;
  const storeKey = storePrefix + ":" + clientId;
  const storedKeys = () => Object.keys(localStorage)
    .filter(k => k === storePrefix || k.startsWith(storePrefix + ":"));

  const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => vars[k]);
  const serverNow = () => Date.now() + offset;
  const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
  const stateEl = document.getElementById("save-state");
  const alertEl = document.getElementById("sitting-alert");
  const parts = Array.from(document.querySelectorAll(".part"));
  const questions = Array.from(document.querySelectorAll("section.question"));
  const partOf = {};
  parts.forEach(p => { partOf[p.dataset.part] = p; });

  const known = {};     // part -> the seq this page knows the server holds
  const sentTop = {};   // part -> the highest seq this page has sent
  const checks = {};    // part -> {value, valid, message}: grading's validation of a value
  const conflicts = {}; // part -> {mine}: this tab's value, refused because another was newer
  let pending = {};     // part -> {value, seq, base, order}: typed, not yet acknowledged
  let offline = false, ending = false, submitting = false, nextAsk = 0, order = 0;

  function api(method, url, body) {
    return fetch(url, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "X-Client-Id": clientId},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
  function persist() { localStorage.setItem(storeKey, JSON.stringify(pending)); }
  function alertMessage(message) { alertEl.hidden = !message; alertEl.textContent = message || ""; }
  function post(kind, details) {
    api("POST", `${base}/events`, Object.assign({kind}, details || {})).catch(() => {});
  }
  function partName(key) {
    const part = partOf[key];
    const n = questions.indexOf(part.closest("section.question")) + 1;
    return fill(text.question_part, {n, part: part.dataset.label});
  }
  function showState() {
    const waiting = Object.keys(pending).length;
    const open = Object.keys(conflicts);
    let state = "saved", message = text.saved;
    if (offline && waiting) { state = "offline"; message = plural(text.offline, waiting); }
    else if (waiting) { state = "saving"; message = text.saving; }
    else if (open.length) {
      state = "conflict"; message = fill(text.conflict_state, {list: open.map(partName).join(", ")});
    }
    stateEl.textContent = message;
    stateEl.dataset.state = state;
  }

  /* ---- values in the boxes ---- */
  function valueOf(part) {
    const el = part.querySelector("input.answer");
    if (el) return el.value;
    return Array.from(part.querySelectorAll("input:checked")).map(i => i.value).join(",");
  }
  function setValue(part, value) {
    const el = part.querySelector("input.answer");
    if (el) { el.value = value; return; }
    const keys = value.replace(/[{}\s]/g, "").split(",");
    part.querySelectorAll("input").forEach(i => { i.checked = keys.includes(i.value); });
  }
  function shown(part, value) { // a value as the candidate would recognise it
    if (part.querySelector("input.answer")) return value;
    const keys = value.replace(/[{}\s]/g, "").split(",").filter(Boolean);
    const labels = Array.from(part.querySelectorAll("input"))
      .filter(i => keys.includes(i.value)).map(i => i.closest("label").textContent.trim());
    return labels.length ? labels.join("; ") : text.choice_none;
  }

  /* ---- the clock: always the server's; the server decides when it ends ---- */
  const clockEl = document.getElementById("clock");
  const warnEl = document.getElementById("clock-warning");
  const addedEl = document.getElementById("time-added");
  const marks = [[10, "warn10"], [1, "warn1"]];
  const warned = {};
  // A warning is for crossing its mark while the page is open: an exam shorter than ten
  // minutes (or a page opened with less left) does not start with "10 minutes left".
  function armWarnings() {
    const left = deadline - serverNow();
    for (const [mins, key] of marks) warned[key] = left <= mins * 60000;
    if (left > 10 * 60000) warnEl.hidden = true;
  }
  function plural(forms, n) {
    let category = "other";
    try { category = new Intl.PluralRules(document.documentElement.lang).select(n); } catch (e) {}
    return fill(forms[category] || forms.other, {n});
  }
  /* Every answer from the server brings its time and the deadline as it stands. */
  function learnClock(body) {
    lastHeard = Date.now();
    if (body.server_now) offset = Date.parse(body.server_now) - Date.now();
    if (!body.deadline) return;
    const next = Date.parse(body.deadline);
    if (next > deadline + 1000) {
      const minutes = Math.max(1, Math.round((next - deadline) / 60000));
      addedEl.textContent = plural(text.added, minutes);
      addedEl.hidden = false;
      deadline = next;
      armWarnings();
      tick(); // the clock shows the new time together with the notice
    } else {
      deadline = next;
    }
  }
  function tick() {
    const left = Math.max(0, deadline - serverNow());
    const s = Math.floor(left / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    clockEl.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" +
      String(sec).padStart(2, "0");
    for (const [mins, key] of marks) {
      if (left <= mins * 60000 && left > 0 && !warned[key]) {
        warned[key] = true; warnEl.hidden = false; warnEl.textContent = text[key];
      }
    }
    if (left <= 0 && !ending && !submitting && Date.now() >= nextAsk) timeUp();
  }
  /* Zero on this page's clock: save what is typed, then ask the server. */
  async function timeUp() {
    ending = true;
    alertMessage(text.time_up);
    for (;;) {
      await within(flush(), 8000); // answers typed offline still count if they arrive in time
      try {
        const res = await api("POST", `${base}/finalise`);
        const body = await res.json();
        if (res.ok && body.status !== "open") return closed();
        if (res.ok) { // the deadline moved: carry on
          learnClock(body);
          alertMessage("");
          ending = false;
          nextAsk = Date.now() + 1000;
          return;
        }
      } catch (e) { /* offline: ask again */ }
      await sleep(3000);
    }
  }
  function closed() {
    ending = true;
    storedKeys().forEach(k => localStorage.removeItem(k));
    window.location.assign(root.dataset.receiptUrl);
  }
  let beating = false;
  async function heartbeat(returned) { // cheap: one indexed read on the server, no writes
    if (beating || ending || Date.now() - lastHeard < (returned ? 2000 : heartbeatMs)) return;
    beating = true;
    try {
      const res = await api("GET", `${base}/clock`);
      if (res.ok) {
        const body = await res.json();
        learnClock(body);
        if (body.status !== "open" && !submitting) closed();
      }
    } catch (e) { /* offline: the next beat tries again */ }
    beating = false;
  }

  /* ---- saving: every change, debounced; replayed in order after a disconnection ---- */
  function queue(part) {
    const key = part.dataset.part;
    if (conflicts[key]) resolve(key); // typing over the saved answer settles the question
    const seq = Math.max(known[key] || 0, sentTop[key] || 0) + 1;
    pending[key] = {value: valueOf(part), seq, base: known[key] || 0, order: ++order};
    persist(); showState(); markAnswered();
  }
  const within = (promise, ms) => Promise.race([promise, sleep(ms)]);
  /* One flush at a time. A caller that finds one in flight waits for it and then sends what
     was queued meanwhile, so "flush, then submit" never lets the submit overtake a save. */
  let inflight = null;
  function flush() {
    if (inflight) {
      return inflight.then(() => {
        if (!offline && Object.keys(pending).length) return flush();
      });
    }
    inflight = send().finally(() => { inflight = null; });
    return inflight;
  }
  async function send() {
    try {
      for (const key of Object.keys(pending).sort((a, b) => pending[a].order - pending[b].order)) {
        const item = pending[key];
        if (!item) continue;
        sentTop[key] = Math.max(sentTop[key] || 0, item.seq);
        let res;
        try {
          res = await api("PUT", `${base}/answers/${encodeURIComponent(key)}`,
                          {value: item.value, seq: item.seq});
        } catch (e) {
          offline = true;
          break;
        }
        if (res.status >= 500) { offline = true; break; } // keep it; the server will be back
        if (offline) { offline = false; post("reconnect"); }
        const body = await res.json().catch(() => ({}));
        if (res.ok) {
          known[key] = Math.max(known[key] || 0, body.seq);
          if (pending[key] && pending[key].seq === item.seq) delete pending[key];
          persist();
          learnClock(body);
          echoed(partOf[key], item.value, body.validation);
        } else if (res.status === 409 && body.error === "stale" && body.stored) {
          const mine = pending[key] ? pending[key].value : item.value;
          delete pending[key]; persist();
          conflict(key, mine, body.stored);
        } else if (res.status === 409) { // the attempt is closed, or its time is over
          delete pending[key]; persist();
          if (!ending && !submitting) { alertMessage(body.message || text.deadline); timeUp(); }
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

  /* ---- another tab or browser saved this part after this tab last heard of it ---- */
  function conflict(key, mine, stored) {
    const part = partOf[key];
    known[key] = Math.max(known[key] || 0, stored.seq);
    if (mine === stored.value) { markAnswered(); return; } // both tabs agree: nothing to ask
    conflicts[key] = {mine};
    setValue(part, stored.value); // what the box shows is what counts
    const box = document.getElementById(key + "-conflict");
    box.querySelector(".conflict-mine").textContent = shown(part, mine);
    box.hidden = false;
    echoSoon(part); markAnswered(); showState();
  }
  function resolve(key) {
    delete conflicts[key];
    document.getElementById(key + "-conflict").hidden = true;
    showState();
  }
  parts.forEach(part => {
    const key = part.dataset.part;
    const box = document.getElementById(key + "-conflict");
    box.querySelector(".keep-mine").addEventListener("click", () => {
      const mine = conflicts[key].mine;
      resolve(key);
      setValue(part, mine);
      queue(part); echoSoon(part); flush();
    });
    box.querySelector(".use-saved").addEventListener("click", () => { resolve(key); });
  });

  /* ---- the validation echo (grading's own validation), and each part's state ---- */
  function showEcho(key, v) {
    const el = document.getElementById(key + "-echo");
    if (!el || !v) return;
    el.classList.toggle("invalid", !v.valid);
    if (v.valid) { el.innerHTML = v.mathml || ""; return; } // MathML made by our server
    el.textContent = "";
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "⚠ ";
    el.append(icon, fill(text.not_accepted, {reason: v.message || ""}));
  }
  async function check(part) {
    const key = part.dataset.part, value = valueOf(part);
    if (!value.trim()) { showEcho(key, {valid: true, mathml: ""}); markAnswered(); return; }
    if (checks[key] && checks[key].value === value) return;
    try {
      const res = await api("POST", "/api/validate", {value, attempt_id: attemptId, part_key: key});
      if (!res.ok) return;
      const v = await res.json();
      checks[key] = {value, valid: v.valid, message: v.message};
      if (valueOf(part) === value) { showEcho(key, v); markAnswered(); }
    } catch (e) { /* offline: checked when the connection is back */ }
  }
  /* A save answers with the echo of the value it kept (one request per burst of typing);
     without one (a blank answer, or no grading process could be asked) the page asks. */
  function echoed(part, value, v) {
    if (!part) return;
    const key = part.dataset.part;
    if (value.trim() && !v) { echoSoon(part); return; }
    if (value.trim()) checks[key] = {value, valid: v.valid, message: v.message};
    if (valueOf(part) !== value) return; // typed on meanwhile: that value's save echoes it
    showEcho(key, value.trim() ? v : {valid: true, mathml: ""});
    markAnswered();
  }
  const timers = {};
  function echoSoon(part) {
    const key = part.dataset.part;
    clearTimeout(timers["v" + key]);
    timers["v" + key] = setTimeout(() => check(part), 250);
  }
  function stateOf(part) {
    const value = valueOf(part);
    if (!value.trim()) return "empty";
    const c = checks[part.dataset.part];
    if (c && c.value === value) return c.valid ? "answered" : "invalid";
    return "unchecked";
  }
  function markAnswered() {
    questions.forEach(q => {
      const states = Array.from(q.querySelectorAll(".part")).map(stateOf);
      let state = "partial";
      if (states.includes("invalid")) state = "invalid";
      else if (states.every(s => s === "empty")) state = "empty";
      else if (!states.includes("empty")) state = "answered"; // "unchecked" is on its way
      const link = document.querySelector(`.nav-item[data-goto="${q.dataset.question}"]`);
      if (!link) return;
      link.dataset.state = state;
      link.querySelector(".nav-icon").textContent =
        {answered: "✓", invalid: "!", partial: "◐", empty: "○"}[state];
      nameLink(link);
    });
  }
  function nameLink(link) { // the state in words, for those who do not see the icon
    const words = [link.dataset.name, text["state_" + link.dataset.state]];
    if (link.classList.contains("flagged")) words.push(text.state_flagged);
    link.setAttribute("aria-label", words.join(", "));
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
  document.querySelectorAll("[data-goto]").forEach(el => el.addEventListener("click", ev => {
    ev.preventDefault(); show(el.dataset.goto, true);
  }));
  document.querySelectorAll("button.flag").forEach(btn => btn.addEventListener("click", async () => {
    const flagged = btn.getAttribute("aria-pressed") !== "true";
    btn.setAttribute("aria-pressed", String(flagged));
    const link = document.querySelector(`.nav-item[data-goto="${btn.dataset.flag}"]`);
    link.classList.toggle("flagged", flagged);
    nameLink(link);
    try {
      await api("PUT", `${base}/flags/${btn.dataset.flag}`, {flagged});
    } catch (e) { /* a flag is a note to oneself; it is re-sent with the next click */ }
  }));

  /* ---- opening the page: the server's state, then what this browser still owes it ----
     A local copy is replayed only if it was typed on top of the value the server still holds
     (its base is the stored seq or newer) and it is not that value already; otherwise the
     server's value stays and the local one is offered as a conflict. */
  const local = {}; // part -> the newest unacknowledged save any earlier page left
  for (const k of storedKeys()) {
    let saved = {};
    try { saved = JSON.parse(localStorage.getItem(k) || "{}") || {}; } catch (e) { /* junk */ }
    for (const [key, item] of Object.entries(saved)) {
      if (item && typeof item.seq === "number" && (!local[key] || item.seq > local[key].seq)) {
        local[key] = item;
      }
    }
    localStorage.removeItem(k);
  }
  parts.forEach(part => {
    const key = part.dataset.part, stored = part.dataset.stored;
    known[key] = Number(part.dataset.seq || 0);
    setValue(part, stored); // never a value the browser restored on its own
    if (part.dataset.state !== "empty") {
      checks[key] = {value: stored, valid: part.dataset.state === "answered",
                     message: part.dataset.message};
    }
  });
  for (const [key, item] of Object.entries(local)) {
    const part = partOf[key];
    if (!part || !item || typeof item.value !== "string") continue;
    const baseSeq = typeof item.base === "number" ? item.base : item.seq - 1;
    if (item.value === part.dataset.stored) continue; // acknowledged after all
    if (item.seq > known[key] && baseSeq >= known[key]) {
      pending[key] = {value: item.value, seq: item.seq, base: baseSeq, order: ++order};
      sentTop[key] = item.seq - 1;
      setValue(part, item.value);
      echoSoon(part);
    } else {
      conflict(key, item.value, {value: part.dataset.stored, seq: known[key]});
    }
  }
  persist();

  parts.forEach(part => {
    const key = part.dataset.part;
    part.addEventListener("input", () => {
      queue(part); // saved, and echoed by the save's answer, 400 ms after the last keystroke
      clearTimeout(timers["s" + key]);
      timers["s" + key] = setTimeout(flush, 400);
    });
    part.addEventListener("paste", () => post("paste", {part: key}));
    // The page serves the fields read-only so that nothing typed before this script arrived
    // could be replaced unseen by the stored value; from here on every keystroke is kept.
    part.querySelectorAll("input").forEach(i => { i.readOnly = false; i.disabled = false; });
  });
  window.addEventListener("blur", () => post("focus_lost"));
  // A tab shown again may have missed news (submitted in another tab, time added): ask now.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") heartbeat(true);
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", () => { offline = true; showState(); });
  window.addEventListener("beforeunload", ev => {
    if (Object.keys(pending).length && !ending) { ev.preventDefault(); ev.returnValue = text.unsaved; }
  });
  armWarnings();
  setInterval(flush, 3000);
  setInterval(() => heartbeat(false), 1000);
  setInterval(tick, 500);
  const fromAddress = location.hash.slice(1);
  const isKnown = questions.some(q => q.dataset.question === fromAddress);
  if (questions.length) show(isKnown ? fromAddress : questions[0].dataset.question, false);
  tick(); showState(); markAnswered(); flush();

  /* ---- review and submit ---- */
  const summary = document.getElementById("summary");
  function listOut(id, items, template) {
    const el = document.getElementById(id);
    el.hidden = !items.length;
    if (items.length) el.textContent = fill(template, {list: items.join(", ")});
  }
  document.getElementById("review").addEventListener("click", async () => {
    await within(Promise.all(parts.map(check)), 5000); // every answer checked as grading will
    const by = {empty: [], invalid: [], unchecked: []};
    parts.forEach(p => { const s = stateOf(p); if (by[s]) by[s].push(p); });
    const unanswered = document.getElementById("summary-unanswered");
    if (by.empty.length) {
      unanswered.textContent = fill(text.unanswered, {list: by.empty.map(p => partName(p.dataset.part)).join(", ")});
    } else {
      unanswered.textContent = by.invalid.length ? text.none_empty : text.all_answered;
    }
    const invalid = document.getElementById("summary-invalid");
    invalid.hidden = !by.invalid.length;
    invalid.querySelector("ul").replaceChildren(...by.invalid.map(p => {
      const li = document.createElement("li");
      li.textContent = fill(text.invalid_item, {part: partName(p.dataset.part),
                                                reason: checks[p.dataset.part].message || ""});
      return li;
    }));
    listOut("summary-unchecked", by.unchecked.map(p => partName(p.dataset.part)), text.unchecked);
    listOut("summary-conflicts", Object.keys(conflicts).map(partName), text.conflicts);
    const flagged = Array.from(document.querySelectorAll('button.flag[aria-pressed="true"]'))
      .map(b => fill(text.question, {n: questions.indexOf(b.closest("section.question")) + 1}));
    document.getElementById("summary-flagged").textContent =
      flagged.length ? fill(text.flagged, {list: flagged.join(", ")}) : text.none_flagged;
    summary.hidden = false;
    document.getElementById("summary-title").focus();
  });
  document.getElementById("cancel-submit").addEventListener("click", () => { summary.hidden = true; });
  const confirmButton = document.getElementById("confirm-submit");
  confirmButton.addEventListener("click", async () => {
    if (submitting) return;
    submitting = true;
    confirmButton.disabled = true;
    stateEl.textContent = text.submitting;
    await within(flush(), 10000); // what cannot be saved now cannot count: submit anyway
    for (;;) {
      try {
        const res = await api("POST", `${base}/submit`);
        if (res.ok) return closed();
        const body = await res.json().catch(() => ({}));
        alertMessage(fill(text.error, {msg: body.message || res.status}));
        submitting = false; confirmButton.disabled = false; showState();
        return;
      } catch (e) {
        alertMessage(text.unreachable);
      }
      await sleep(3000);
    }
  });
})();
