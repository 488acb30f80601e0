// Live dashboard: queue ordered by urgency, emergency alert (visual + sound), transcript,
// editable form, classification with scores, acknowledge / take over / corrections.
"use strict";

const RANK = {emergency: 2, urgent: 1, routine: 0};
const calls = new Map();          // id -> summary
let selected = null;               // call id
let detail = null;                 // last fetched detail of the selected call
let formSavedFor = null;           // call id whose form edits were just saved
let alertCall = null;              // call id the alert is about
let alertArgs = null;              // what the alert shows, to redraw it in another language
let alertTimer = null;
let roster = null;
let ws = null, wsBackoff = 500;

function sortCalls(list) {
  return list.sort((a, b) => (b.needs_ack - a.needs_ack)
    || ((RANK[b.urgency] ?? -1) - (RANK[a.urgency] ?? -1))
    || (b.started_at - a.started_at));
}

function upsert(summary) {
  if (!summary || !summary.id) return;
  const prev = calls.get(summary.id) || {};
  calls.set(summary.id, Object.assign({}, prev, summary));
}

function urgencyLabel(u) { return u ? t(u) : t("unknown"); }

function renderQueue() {
  const list = document.getElementById("queue-list");
  const items = sortCalls([...calls.values()].filter(c => c.status === "live" || c.needs_ack));
  list.replaceChildren(...items.map(c => el("li", {
      class: `call-card u-${c.urgency || "none"} ${c.id === selected ? "selected" : ""} ${c.needs_ack ? "pending" : ""}`,
      dataset: {id: c.id, urgency: c.urgency || ""}, onclick: () => select(c.id)},
    el("div", {class: "card-top"},
      el("span", {class: `badge u-${c.urgency || "none"}`}, urgencyLabel(c.urgency)),
      el("span", {class: "muted"}, fmtTime(c.started_at)),
      c.status === "live" ? el("span", {class: "live-dot"}, t("live")) : null),
    el("div", {class: "card-body"},
      (c.red_flags || []).map(f => el("span", {class: "flag"}, flagName(f))),
      el("span", {}, valueName(c.intent)),
      c.partial ? el("div", {class: "muted partial"}, "… " + c.partial) : null),
    el("div", {class: "card-bottom muted"},
      c.action ? `${valueName(c.action)}${c.target ? " → " + c.target : ""}` : "",
      c.needs_ack ? el("strong", {class: "needs-ack"}, " · " + t("needs_ack")) : "",
      c.acknowledged_by ? ` · ${t("acknowledged_by")} ${c.acknowledged_by}` : "",
      c.escalation_step ? ` · ${t("escalated")} ×${c.escalation_step}` : ""))));
  document.getElementById("queue-empty").hidden = items.length > 0;
}

// -- alert ---------------------------------------------------------------------------------------
function showAlert(callId, decision, evidence, silent) {
  alertCall = callId;
  alertArgs = [callId, decision, evidence];
  const box = document.getElementById("alert");
  document.getElementById("alert-title").textContent =
    t("alert_title") + (decision && decision.target ? ` (${decision.target.name})` : "");
  const flags = (evidence && evidence.length ? evidence : (decision.red_flags || []).map(c => ({category: c})));
  document.getElementById("alert-flags").replaceChildren(...flags.map(h => el("span", {class: "alert-flag"},
    flagName(h.category), h.text ? el("q", {}, h.text) : null)));
  document.getElementById("alert-meta").textContent =
    [decision && decision.advise_emergency_services ? "⚠ " + t("call_15") : null,
     ...((decision && decision.reasons) || [])].filter(Boolean).join(" · ");
  box.hidden = false;
  box.dataset.call = callId;
  document.body.classList.add("alarm");
  if (silent) return;
  const played = beep(4);
  document.getElementById("sound").hidden = played;
  clearInterval(alertTimer);
  // Keep sounding until someone acknowledges: an alert nobody hears is no alert.
  alertTimer = setInterval(() => { if (alertCall) beep(2); }, 4000);
}

function clearAlert(callId) {
  if (callId && alertCall !== callId) return;
  alertCall = null;
  alertArgs = null;
  clearInterval(alertTimer);
  document.getElementById("alert").hidden = true;
  document.body.classList.remove("alarm");
  const next = [...calls.values()].find(c => c.needs_ack && c.urgency === "emergency" && !c.acknowledged_by);
  if (next) showAlert(next.id, {target: {name: next.target}, red_flags: next.red_flags,
                                advise_emergency_services: next.advise_emergency, reasons: []}, []);
}

// -- push ----------------------------------------------------------------------------------------
function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${proto}://${location.host}/api/live`);
  ws.onopen = () => { wsBackoff = 500; setConn(true); };
  ws.onclose = () => { setConn(false); setTimeout(connect, wsBackoff); wsBackoff = Math.min(wsBackoff * 2, 8000); };
  ws.onmessage = ev => onPush(JSON.parse(ev.data));
}

function setConn(ok) {
  const c = document.getElementById("conn");
  c.className = "conn " + (ok ? "on" : "off");
  c.textContent = t(ok ? "live" : "offline");
}

function onPush(msg) {
  const d = msg.data || {};
  switch (msg.kind) {
    case "hello":
      (d.calls || []).forEach(upsert);
      break;
    case "call":
      upsert(d);
      break;
    case "transcript":
      if (msg.call_id === selected) appendTranscript(d);
      if (!d.final && calls.has(msg.call_id)) calls.get(msg.call_id).partial = d.text;
      if (d.final && calls.has(msg.call_id)) calls.get(msg.call_id).partial = "";
      break;
    case "classification":
      upsert(d.call);
      if (msg.call_id === selected) refreshDetail();
      break;
    case "handoff":
    case "escalation":
      upsert(d.call);
      if (d.alert || (d.decision && (d.decision.urgency === "emergency" || d.decision.advise_emergency_services))) {
        showAlert(msg.call_id, d.decision, d.evidence || []);
      }
      if (msg.call_id === selected) refreshDetail();
      break;
    case "softphone":
      if (typeof Softphone !== "undefined") Softphone.onPush(msg);
      break;
    case "ack":
      upsert(d.call);
      if (calls.has(msg.call_id)) Object.assign(calls.get(msg.call_id), {needs_ack: false, acknowledged_by: d.by});
      clearAlert(msg.call_id);
      if (msg.call_id === selected) refreshDetail();
      break;
  }
  renderQueue();
}

// -- detail --------------------------------------------------------------------------------------
async function select(id) {
  if (id !== selected) formSavedFor = null;
  selected = id;
  renderQueue();
  await refreshDetail();
}

async function refreshDetail() {
  if (!selected) return;
  const id = selected;
  try {
    const data = await api("GET", `/api/calls/${id}`);
    if (id !== selected) return;
    detail = data;
    upsert(data.call);
    renderDetail();
  } catch (e) {
    document.getElementById("detail").replaceChildren(el("p", {class: "error"}, `${e.status || ""} ${e.message}`));
  }
}

function highlight(text, evidence) {
  // Mark red-flag evidence spans inside a transcript line.
  const spans = (evidence || []).map(h => h.text).filter(Boolean);
  if (!spans.length) return [text];
  const out = [];
  let rest = text;
  while (rest) {
    let best = null;
    for (const s of spans) {
      const i = rest.toLowerCase().indexOf(s.toLowerCase());
      if (i >= 0 && (!best || i < best.i)) best = {i, s};
    }
    if (!best) { out.push(rest); break; }
    out.push(rest.slice(0, best.i), el("mark", {class: "evidence"}, rest.slice(best.i, best.i + best.s.length)));
    rest = rest.slice(best.i + best.s.length);
  }
  return out;
}

function lastClassification() {
  const cl = detail && detail.classifications;
  return cl && cl.length ? cl[cl.length - 1] : null;
}

function evidenceOf(c) { return c ? (c.red_flags || []).map(h => ({category: h.category, text: h.span})) : []; }

function appendTranscript(line) {
  const box = document.getElementById("transcript");
  if (!box) return;
  const partial = box.querySelector(".partial-line");
  if (partial) partial.remove();
  box.append(el("div", {class: `line ${line.speaker} ${line.final ? "" : "partial-line"}`},
    el("span", {class: "who"}, t(line.speaker)), " ",
    highlight(line.text, evidenceOf(lastClassification()))));
  box.scrollTop = box.scrollHeight;
}

function scoreBars(scores) {
  return el("div", {class: "scores"}, Object.entries(scores || {}).sort((a, b) => b[1] - a[1]).map(([k, v]) =>
    el("div", {class: "score"}, el("span", {class: "score-label"}, valueName(k)),
      el("span", {class: "bar"}, el("span", {class: "fill", style: `width:${Math.round(v * 100)}%`})),
      el("span", {class: "score-value"}, v.toFixed(2)))));
}

const FORM_FIELDS = ["caller_name", "relationship", "patient_name", "patient_age", "date_of_birth",
  "callback_number", "symptoms", "onset", "temperature_c", "pregnancy_weeks",
  "requested_practitioner", "preferred_time", "reason"];

function fieldText(f) {
  if (f === null || f === undefined) return "";
  if (Array.isArray(f)) return f.map(fieldText).filter(Boolean).join(", ");
  if (typeof f === "object" && "value" in f) return fieldText(f.value);
  if (typeof f === "object" && "amount" in f) return `${f.amount} ${f.unit}`;
  return String(f);
}

function renderForm(form) {
  const rows = FORM_FIELDS.map(name => {
    const f = (form || {})[name];
    const conf = f && !Array.isArray(f) && typeof f === "object" && "confidence" in f ? f.confidence : null;
    return el("label", {class: "form-row"},
      el("span", {class: "form-name"}, valueName(name)),
      el("input", {name, value: fieldText(f), dataset: {orig: fieldText(f)}, id: `form-${name}`}),
      el("span", {class: "muted conf"}, conf !== null ? `${Math.round(conf * 100)}%` : (f && f.corrected_by ? "✎" : "")));
  });
  // "Saved" outlives the re-render that a push of the same change triggers moments later.
  const status = el("span", {class: "muted", id: "form-status"}, formSavedFor === selected ? t("saved") : "");
  const formEl = el("form", {id: "triage-form", class: "triage-form"}, rows,
    el("div", {class: "actions"}, el("button", {type: "submit", id: "form-save"}, t("save")), status));
  formEl.addEventListener("input", () => { formSavedFor = null; status.textContent = ""; });
  formEl.addEventListener("submit", async ev => {
    ev.preventDefault();
    const fields = {};
    formEl.querySelectorAll("input").forEach(i => {
      if (i.value !== i.dataset.orig) fields[i.name] = i.name === "symptoms" ? i.value.split(/\s*,\s*/).filter(Boolean) : i.value;
    });
    if (!Object.keys(fields).length) return;
    await api("PATCH", `/api/calls/${selected}/form`, {fields});
    formSavedFor = selected;
    status.textContent = t("saved");
    await refreshDetail();
  });
  return formEl;
}

function labelSelect(kind, current) {
  const options = (kind === "red_flag" ? [""] : []).concat(LABELS[kind]);
  return el("select", {name: kind, id: `label-${kind}`}, options.map(v =>
    el("option", {value: v, selected: v === (current || "")}, v ? (kind === "red_flag" ? flagName(v) : kind === "urgency" ? t(v) : valueName(v)) : t("none"))));
}

function renderDetail() {
  const box = document.getElementById("detail");
  if (!detail) return;
  const c = detail.call;
  const cl = lastClassification();
  const dec = detail.decisions.length ? detail.decisions[detail.decisions.length - 1] : null;
  const evidence = evidenceOf(cl);
  const transcript = el("div", {class: "transcript", id: "transcript"}, detail.transcript.map(line =>
    el("div", {class: `line ${line.speaker} ${line.final ? "" : "partial-line"}`},
      el("span", {class: "who"}, t(line.speaker)), " ", highlight(line.text, evidence))));
  const actions = el("div", {class: "actions"},
    el("button", {class: "ack", id: "btn-ack", disabled: !c.needs_ack, onclick: () => ack(c.id, false)}, t("acknowledge")),
    el("button", {id: "btn-take", onclick: () => takeOver(c.id)}, t("take_over")),
    c.acknowledged_by ? el("span", {class: "muted"}, `${t("acknowledged_by")} ${c.acknowledged_by}`) : null,
    c.taken_over_by ? el("span", {class: "muted"}, ` · ${t("taken_over_by")} ${c.taken_over_by}`) : null);
  const labelForm = el("form", {class: "labels", id: "labels-form"},
    el("label", {}, t("intent"), labelSelect("intent", c.intent)),
    el("label", {}, t("urgency"), labelSelect("urgency", c.urgency)),
    el("label", {}, t("red_flag"), labelSelect("red_flag", (c.red_flags || [])[0])),
    el("button", {type: "button", id: "btn-confirm", onclick: async () => {
      await api("POST", `/api/calls/${c.id}/labels`, {confirm: true}); await refreshDetail(); }}, t("confirm")),
    el("button", {type: "submit", id: "btn-correct"}, t("correct")));
  labelForm.addEventListener("submit", async ev => {
    ev.preventDefault();
    const body = {};
    for (const k of ["intent", "urgency", "red_flag"]) {
      const v = labelForm.querySelector(`[name=${k}]`).value;
      const cur = k === "red_flag" ? ((c.red_flags || [])[0] || "") : (c[k] || "");
      if (v !== cur) body[k] = v;
    }
    if (!Object.keys(body).length) body.confirm = true;
    await api("POST", `/api/calls/${c.id}/labels`, body);
    await refreshDetail();
  });
  fill(box,
    el("div", {class: `detail-head u-${c.urgency || "none"}`},
      el("span", {class: `badge u-${c.urgency || "none"}`}, urgencyLabel(c.urgency)),
      el("h2", {}, (c.red_flags || []).map(flagName).join(", ") || valueName(c.intent) || c.id),
      el("span", {class: "muted"}, `${fmtTime(c.started_at)} · ${c.channel} · ${c.language}`),
      detail.caller_number ? el("span", {class: "muted"}, ` · ${detail.caller_number}`) : null),
    dec ? el("div", {class: `decision ${dec.advise_emergency_services ? "advise" : ""}`},
      el("strong", {}, `${t("decision")}: ${valueName(dec.action)} → ${dec.target.name}${dec.target.phone ? " (" + dec.target.phone + ")" : ""}`),
      dec.advise_emergency_services ? el("div", {class: "call15"}, "⚠ " + t("call_15")) : null,
      el("ul", {class: "reasons"}, (dec.reasons || []).map(r => el("li", {}, r)))) : null,
    evidence.length ? el("div", {class: "evidence-list"}, el("strong", {}, t("evidence") + ": "),
      evidence.map(h => el("span", {class: "flag"}, flagName(h.category), h.text ? el("q", {}, h.text) : null))) : null,
    actions,
    el("div", {class: "columns"},
      el("div", {}, el("h3", {}, t("transcript")), transcript),
      el("div", {}, el("h3", {}, t("form")), renderForm(detail.form))),
    el("h3", {}, t("classification")),
    cl ? el("div", {class: "columns"},
      el("div", {}, el("h4", {}, t("urgency")), scoreBars(cl.scores && cl.scores.urgency)),
      el("div", {}, el("h4", {}, t("intent")), scoreBars(cl.scores && cl.scores.intent))) : null,
    labelForm);
}

// "Prendre l'appel": a live phone or browser call opens the softphone (the server bridges its
// audio here; the agent falls silent once this browser's audio reaches the caller). A call
// with no audio line (simulated, ended) is taken over as a task, as before.
async function takeOver(id) {
  const c = calls.get(id) || (detail && detail.call && detail.call.id === id ? detail.call : null);
  if (typeof Softphone !== "undefined" && Softphone.canBridge(c)) {
    if (id !== selected) select(id);
    await Softphone.open(id);
    return;
  }
  await ack(id, true);
}

async function ack(id, takeOver) {
  await api("POST", `/api/calls/${id}/${takeOver ? "take-over" : "acknowledge"}`);
  if (calls.has(id)) Object.assign(calls.get(id), {needs_ack: false});
  clearAlert(id);
  renderQueue();
  if (id === selected) await refreshDetail();
}

// -- history -------------------------------------------------------------------------------------
async function loadHistory(q) {
  const data = await api("GET", `/api/calls?view=history&limit=200${q ? "&q=" + encodeURIComponent(q) : ""}`);
  const body = document.getElementById("history-body");
  body.replaceChildren(...(data.items.length ? data.items.map(c => el("tr", {class: `u-${c.urgency || "none"}`},
    el("td", {}, fmtTime(c.started_at)), el("td", {}, el("span", {class: `badge u-${c.urgency || "none"}`}, urgencyLabel(c.urgency))),
    el("td", {}, valueName(c.intent)), el("td", {}, (c.red_flags || []).map(flagName).join(", ")),
    el("td", {}, valueName(c.action)), el("td", {}, c.acknowledged_by || ""),
    el("td", {}, el("button", {class: "small", onclick: () => { location.hash = "#queue"; upsert(c); select(c.id); }}, "→"))))
    : [el("tr", {}, el("td", {colspan: 7, class: "muted"}, t("no_calls")))]));
}

function route() {
  const view = location.hash === "#history" ? "history" : "queue";
  document.getElementById("view-queue").hidden = view !== "queue";
  document.getElementById("view-history").hidden = view !== "history";
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("active", a.id === `nav-${view}`));
  if (view === "history") loadHistory(document.getElementById("history-q").value);
}

function renderRoster() {
  if (!roster) return;
  document.getElementById("practice-name").textContent = roster.name;
  const oc = roster.on_call_now;
  document.getElementById("oncall").textContent = `${roster.open_now ? t("open") : t("closed")} · ${t("on_call")}: ${oc ? oc.physician.name : "—"}`;
}

async function pollQueue() {
  try {
    const q = await api("GET", "/api/calls?view=queue&limit=200");
    for (const c of q.items) {
      const known = calls.has(c.id);
      upsert(c);
      if (!known && c.needs_ack && c.urgency === "emergency" && !alertCall) {
        showAlert(c.id, {target: {name: c.target}, red_flags: c.red_flags,
                         advise_emergency_services: c.advise_emergency, reasons: []}, []);
      }
    }
    const ids = new Set(q.items.map(c => c.id));
    for (const [id, c] of calls) if (!ids.has(id) && c.status !== "live") c.needs_ack = false;
    renderQueue();
  } catch (e) { /* database down or logged out: the push and the snapshot still work */ }
}

async function start(me) {
  // Data analysts work on aggregates only: no call details, no live queue.
  if (me.role === "data_analyst") { location.href = "/reports"; return; }
  document.getElementById("whoami").textContent = `${me.username} (${me.role})`;
  try {
    roster = await api("GET", "/api/roster");
    renderRoster();
  } catch (e) { /* roster is informative only */ }
  try {
    const q = await api("GET", "/api/calls?view=queue&limit=200");
    q.items.forEach(upsert);
  } catch (e) { /* database down: the push snapshot still shows live calls */ }
  renderQueue();
  connect();
  route();
  // Safety net behind the push: calls stored by another process (CLI, second server) or
  // missed during a reconnect still reach the queue, and their alert still sounds.
  setInterval(pollQueue, 10000);
  const pending = [...calls.values()].find(c => c.needs_ack && c.urgency === "emergency");
  if (pending) showAlert(pending.id, {target: {name: pending.target}, red_flags: pending.red_flags, advise_emergency_services: pending.advise_emergency, reasons: []}, []);
}

window.onLangChange = () => {
  renderQueue(); renderDetail(); renderRoster(); setConn(ws && ws.readyState === 1);
  if (alertArgs) showAlert(...alertArgs, true);
};

document.addEventListener("DOMContentLoaded", () => {
  applyI18n();
  window.addEventListener("hashchange", route);
  document.getElementById("history-form").addEventListener("submit", ev => { ev.preventDefault(); loadHistory(document.getElementById("history-q").value); });
  document.getElementById("alert-ack").addEventListener("click", () => alertCall && ack(alertCall, false));
  document.getElementById("alert-open").addEventListener("click", () => { if (alertCall) { const id = alertCall; select(id); takeOver(id); } });
  document.getElementById("sound").addEventListener("click", () => { unlockAudio(); beep(1); document.getElementById("sound").hidden = true; });
  requireLogin(start);
});
