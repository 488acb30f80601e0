// Agenda page: day (all practitioners) or week (one practitioner); book, move, cancel by hand;
// what the agent booked and what waits to sync with the calendars. Data: /api/agenda/*.
// Times are shown as the practice's wall clock (taken from the ISO strings, whatever the
// browser's time zone).
"use strict";

const AT = {
  fr: {today: "Aujourd'hui", day: "Jour", week: "Semaine", all: "Tous les praticiens",
       free: "libre", agent: "réservé par l'agent", manual: "réservé au secrétariat",
       busy: "occupé (agenda du praticien)", pending: "en attente de synchronisation",
       book: "Prendre rendez-vous", name: "Nom du patient", birth_date: "Date de naissance",
       phone: "Téléphone", type: "Type", save: "Réserver", cancel_appt: "Annuler le rendez-vous",
       move: "Déplacer", close: "Fermer", new_day: "Nouveau jour", new_slot: "Nouveau créneau",
       no_slot: "Aucun créneau libre ce jour-là", confirm_cancel: "Annuler ce rendez-vous ?",
       sync_now: "Synchroniser", synced: "agendas à jour", to_sync: "à synchroniser",
       no_calendar: "aucun agenda CalDAV configuré", taken: "Créneau déjà pris",
       reserved: "urgence", calendar_error: "agenda injoignable", source: "Origine",
       with: "avec", created_by: "par", not_synced: "non synchronisé", practice: "Cabinet"},
  en: {today: "Today", day: "Day", week: "Week", all: "All practitioners",
       free: "free", agent: "booked by the agent", manual: "booked by staff",
       busy: "busy (practitioner's calendar)", pending: "waiting to sync",
       book: "Book an appointment", name: "Patient name", birth_date: "Date of birth",
       phone: "Phone", type: "Type", save: "Book", cancel_appt: "Cancel the appointment",
       move: "Move", close: "Close", new_day: "New day", new_slot: "New slot",
       no_slot: "No free slot that day", confirm_cancel: "Cancel this appointment?",
       sync_now: "Sync now", synced: "calendars up to date", to_sync: "to sync",
       no_calendar: "no CalDAV calendar configured", taken: "Slot already taken",
       reserved: "urgent", calendar_error: "calendar unreachable", source: "Source",
       with: "with", created_by: "by", not_synced: "not synced", practice: "Practice"},
};
function at(k) { return (AT[LANG] || AT.fr)[k] || k; }

const WEEK = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
let CFG = null;
let PRACTICES = [];                // the user's practices (several: the picker shows)
const state = {day: null, view: "day", practitioner: "", practice: ""};

/** An agenda API path for the chosen practice (none chosen: the server's default for the user,
 * their one practice or the deployment's default). */
function agendaPath(path) {
  if (!state.practice) return path;
  return path + (path.includes("?") ? "&" : "?") + "practice=" + encodeURIComponent(state.practice);
}

const hm = iso => iso.slice(11, 16);
const dayOf = iso => iso.slice(0, 10);
const toMin = s => parseInt(s.slice(0, 2), 10) * 60 + parseInt(s.slice(3, 5), 10);
const fromMin = m => String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
function addDays(day, n) {
  const d = new Date(day + "T12:00:00Z"); d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const weekday = day => WEEK[new Date(day + "T12:00:00Z").getUTCDay()];
function monday(day) { const w = new Date(day + "T12:00:00Z").getUTCDay(); return addDays(day, -((w + 6) % 7)); }
function practName(id) { const p = CFG.practitioners.find(x => x.id === id); return p ? p.name : id; }
function typeOf(id) { return CFG.types.find(x => x.id === id) || {id, minutes: CFG.step_min, fr: id, en: id}; }
function dayLabel(day) {
  return new Date(day + "T12:00:00Z").toLocaleDateString(LANG === "fr" ? "fr-FR" : "en-GB",
    {weekday: "long", day: "numeric", month: "long", timeZone: "UTC"});
}

function columns() {
  if (state.view === "day") {
    const ps = state.practitioner ? [state.practitioner] : CFG.practitioners.map(p => p.id);
    return ps.map(p => ({practitioner: p, day: state.day, title: practName(p)}));
  }
  const p = state.practitioner || CFG.practitioners[0].id;
  const m = monday(state.day);
  return [0, 1, 2, 3, 4, 5, 6].map(i => ({practitioner: p, day: addDays(m, i), title: dayLabel(addDays(m, i))}));
}

async function load() {
  const cols = columns();
  const days = [...new Set(cols.map(c => c.day))];
  const first = days[0], n = days.length;
  const [appts, busy] = await Promise.all([
    api("GET", agendaPath(`/api/agenda/appointments?date=${first}&days=${n}`)),
    api("GET", agendaPath(`/api/agenda/busy?date=${first}&days=${n}`))]);
  const slotLists = await Promise.all(cols.map(c =>
    api("GET", agendaPath(`/api/agenda/slots?date=${c.day}&practitioner=${c.practitioner}`))));
  cols.forEach((c, i) => {
    c.free = new Map(slotLists[i].map(s => [hm(s.start), s]));
    c.appts = appts.filter(a => a.practitioner === c.practitioner && dayOf(a.start) === c.day);
    c.busy = busy.filter(b => b.practitioner === c.practitioner && dayOf(b.start) === c.day);
    const p = CFG.practitioners.find(x => x.id === c.practitioner);
    c.hours = (p.hours[weekday(c.day)] || []).map(([s, e]) => [toMin(s), toMin(e)]);
  });
  render(cols);
  refreshStatus();
}

function render(cols) {
  const grid = document.getElementById("grid");
  grid.replaceChildren();
  let lo = 24 * 60, hi = 0;
  cols.forEach(c => c.hours.forEach(([s, e]) => { lo = Math.min(lo, s); hi = Math.max(hi, e); }));
  if (hi <= lo) { lo = 8 * 60; hi = 19 * 60; }
  const step = CFG.step_min;
  grid.append(el("thead", {}, el("tr", {}, el("th", {}, ""), cols.map(c =>
    el("th", {dataset: {practitioner: c.practitioner, day: c.day}}, c.title)))));
  const body = el("tbody", {});
  for (let m = lo; m < hi; m += step) {
    const t = fromMin(m);
    const row = el("tr", {}, el("td", {class: "time"}, t));
    cols.forEach(c => row.append(cell(c, m, t, step)));
    body.append(row);
  }
  grid.append(body);
}

function cell(c, m, t, step) {
  const open = c.hours.some(([s, e]) => s <= m && m < e);
  const td = el("td", {class: open ? "" : "closed", dataset: {practitioner: c.practitioner, day: c.day, time: t}});
  const starting = c.appts.find(a => hm(a.start) === t);
  if (starting) {
    const src = starting.source === "agent" ? "src-agent" : "";
    td.append(el("div", {class: `appt ${src}`, dataset: {id: starting.id, sync: starting.sync_state},
        title: `${at("source")}: ${starting.source} — ${starting.created_by}`, onclick: () => openAppointment(starting)},
      `${hm(starting.start)}–${hm(starting.end)} ${starting.patient.name}`,
      el("span", {class: "muted"}, " · " + typeOf(starting.type)[LANG]),
      starting.source === "agent" ? el("span", {class: "muted"}, " · agent") : null,
      starting.sync_state === "pending" ? el("span", {class: "pending", title: at("pending")}, at("not_synced")) : null));
    return td;
  }
  const inside = c.appts.find(a => toMin(hm(a.start)) < m && m < toMin(hm(a.end)));
  if (inside) { td.append(el("div", {class: "appt cont"}, "┆")); return td; }
  const ext = c.busy.find(b => toMin(hm(b.start)) <= m && m < toMin(hm(b.end)));
  if (ext) { td.append(el("div", {class: "busy-ext", title: at("busy")}, at("busy"))); return td; }
  const free = c.free.get(t);
  if (free) {
    td.append(el("button", {type: "button", class: "slot-free" + (free.urgent_reserved ? " reserved" : ""),
      dataset: {start: free.start}, onclick: () => openBooking(c, free)},
      t + " " + (free.urgent_reserved ? at("reserved") : at("free"))));
  }
  return td;
}

function panel(...children) {
  const card = document.getElementById("panel-card");
  fill(card, ...children);
  document.getElementById("panel").hidden = false;
}
function closePanel() { document.getElementById("panel").hidden = true; }
function showError(msg) {
  const box = document.getElementById("agenda-error");
  box.textContent = msg || "";
  if (msg) setTimeout(() => { if (box.textContent === msg) box.textContent = ""; }, 8000);
}

function openBooking(c, slot) {
  const err = el("div", {class: "error", id: "book-error"});
  const types = CFG.types.filter(x => (CFG.practitioners.find(p => p.id === c.practitioner).types || []).includes(x.id));
  const form = el("form", {id: "book-form"},
    el("h2", {}, at("book")),
    el("p", {}, `${dayLabel(c.day)} ${hm(slot.start)} — ${practName(c.practitioner)}`),
    el("label", {}, at("name"), el("input", {name: "name", id: "book-name", required: true, minlength: 2})),
    el("label", {}, at("birth_date"), el("input", {name: "birth_date", id: "book-birth", type: "date", required: true})),
    el("label", {}, at("phone"), el("input", {name: "phone", id: "book-phone", type: "tel"})),
    el("label", {}, at("type"), el("select", {name: "type", id: "book-type"},
      types.map(x => el("option", {value: x.id, selected: x.id === CFG.default_type}, `${x[LANG]} (${x.minutes} min)`)))),
    err,
    el("div", {class: "row"},
      el("button", {type: "submit", class: "primary", id: "book-submit"}, at("save")),
      el("button", {type: "button", onclick: closePanel}, at("close"))));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    try {
      await api("POST", agendaPath("/api/agenda/appointments"), {
        start: slot.start, practitioner: c.practitioner, type: form.type.value,
        urgent: !!slot.urgent_reserved,
        patient: {name: form.name.value, birth_date: form.birth_date.value, phone: form.phone.value || null}});
      closePanel(); await load();
    } catch (e) { err.textContent = e.status === 409 ? at("taken") + " — " + (e.message.message || e.message) : String(e.message.message || e.message); }
  });
  panel(form);
  form.name.focus();
}

function openAppointment(a) {
  const err = el("div", {class: "error", id: "appt-error"});
  const daySel = el("input", {type: "date", id: "move-day", value: dayOf(a.start)});
  const slotSel = el("select", {id: "move-slot"});
  async function fillSlots() {
    slotSel.replaceChildren();
    const free = await api("GET", agendaPath(`/api/agenda/slots?date=${daySel.value}&practitioner=${a.practitioner}&type=${a.type}`));
    if (!free.length) slotSel.append(el("option", {value: ""}, at("no_slot")));
    free.forEach(s => slotSel.append(el("option", {value: s.start}, hm(s.start))));
  }
  daySel.addEventListener("change", fillSlots);
  panel(
    el("h2", {}, a.patient.name),
    el("p", {}, `${dayLabel(dayOf(a.start))} ${hm(a.start)}–${hm(a.end)} ${at("with")} ${practName(a.practitioner)}`),
    el("p", {class: "muted"}, `${typeOf(a.type)[LANG]} · ${at("source")}: ${a.source} (${at("created_by")} ${a.created_by})`
      + (a.sync_state === "pending" ? " · " + at("pending") : "")),
    el("label", {}, at("new_day"), daySel),
    el("label", {}, at("new_slot"), slotSel),
    err,
    el("div", {class: "row"},
      el("button", {type: "button", class: "primary", id: "move-submit", onclick: async () => {
        if (!slotSel.value) return;
        try { await api("PATCH", agendaPath(`/api/agenda/appointments/${a.id}`), {start: slotSel.value}); closePanel(); await load(); }
        catch (e) { err.textContent = String(e.message.message || e.message); }
      }}, at("move")),
      el("button", {type: "button", id: "cancel-submit", onclick: async () => {
        if (!window.confirm(at("confirm_cancel"))) return;
        try { await api("DELETE", agendaPath(`/api/agenda/appointments/${a.id}`)); closePanel(); await load(); }
        catch (e) { err.textContent = String(e.message.message || e.message); }
      }}, at("cancel_appt")),
      el("button", {type: "button", onclick: closePanel}, at("close"))));
  fillSlots();
}

async function refreshStatus() {
  const box = document.getElementById("sync-status");
  try {
    const s = await api("GET", agendaPath("/api/agenda/status"));
    box.dataset.pending = s.pending;
    box.classList.toggle("warn", s.pending > 0 || !!s.last_error);
    if (!s.calendar_configured) box.textContent = `${s.pending} ${at("to_sync")} · ${at("no_calendar")}`;
    else if (s.pending) box.textContent = `${s.pending} ${at("to_sync")}` + (s.last_error ? ` · ${at("calendar_error")}` : "");
    else box.textContent = "✓ " + at("synced");
  } catch (e) { box.textContent = ""; }
}

function labels() {
  applyI18n();
  document.getElementById("today").textContent = at("today");
  document.getElementById("sync-now").textContent = at("sync_now");
  const view = document.getElementById("view");
  view.options[0].textContent = at("day"); view.options[1].textContent = at("week");
  for (const k of ["free", "agent", "manual", "busy", "pending"]) document.getElementById("lg-" + k).textContent = at(k);
  const practiceSel = document.getElementById("practice");
  practiceSel.hidden = PRACTICES.length < 2;
  practiceSel.title = at("practice");
  practiceSel.replaceChildren(...PRACTICES.map(p =>
    el("option", {value: p.id, selected: p.id === state.practice}, p.name)));
  const sel = document.getElementById("practitioner");
  if (CFG) {
    sel.replaceChildren(el("option", {value: ""}, at("all")),
      ...CFG.practitioners.map(p => el("option", {value: p.id, selected: p.id === state.practitioner}, p.name)));
  }
}
window.onLangChange = () => { labels(); load(); };

async function start(me) {
  document.getElementById("whoami").textContent = me.username;
  const params = new URLSearchParams(location.search);
  // A user of several practices picks whose agenda (the deployment's default first); a user of
  // one practice, or a single-practice deployment, gets theirs with no picker.
  try { PRACTICES = await api("GET", "/api/practices"); } catch (e) { PRACTICES = []; }
  if (PRACTICES.length > 1) {
    const asked = PRACTICES.find(p => p.id === params.get("practice"));
    state.practice = (asked || PRACTICES.find(p => p.default) || PRACTICES[0]).id;
  }
  CFG = await api("GET", agendaPath("/api/agenda/config"));
  state.day = params.get("date") || new Date().toISOString().slice(0, 10);
  state.view = params.get("view") === "week" ? "week" : "day";
  state.practitioner = params.get("practitioner") || "";
  labels();
  const dayIn = document.getElementById("day"), viewIn = document.getElementById("view");
  dayIn.value = state.day; viewIn.value = state.view;
  const go = () => {
    const q = new URLSearchParams({date: state.day, view: state.view});
    if (state.practice) q.set("practice", state.practice);
    if (state.practitioner) q.set("practitioner", state.practitioner);
    history.replaceState(null, "", "/agenda?" + q);
    load().catch(e => showError(String(e.message)));
  };
  dayIn.addEventListener("change", () => { if (dayIn.value) { state.day = dayIn.value; go(); } });
  viewIn.addEventListener("change", () => { state.view = viewIn.value; go(); });
  document.getElementById("practitioner").addEventListener("change", ev => { state.practitioner = ev.target.value; go(); });
  document.getElementById("practice").addEventListener("change", async ev => {
    // Another practice: its own practitioners, hours and types.
    state.practice = ev.target.value;
    state.practitioner = "";
    try { CFG = await api("GET", agendaPath("/api/agenda/config")); } catch (e) { showError(String(e.message)); return; }
    labels();
    go();
  });
  const shift = n => { state.day = addDays(state.day, n * (state.view === "week" ? 7 : 1)); dayIn.value = state.day; go(); };
  document.getElementById("prev").addEventListener("click", () => shift(-1));
  document.getElementById("next").addEventListener("click", () => shift(1));
  document.getElementById("today").addEventListener("click", () => { state.day = new Date().toISOString().slice(0, 10); dayIn.value = state.day; go(); });
  document.getElementById("sync-now").addEventListener("click", async () => {
    try { await api("POST", agendaPath("/api/agenda/sync")); } catch (e) { showError(String(e.message)); }
    load();
  });
  go();
  // What the agent books and what the calendars change shows up without a reload.
  setInterval(() => { if (document.getElementById("panel").hidden) load().catch(() => {}); }, 5000);
}

// No inline handlers: the service's Content-Security-Policy allows scripts from 'self' only.
document.getElementById("lang-toggle").addEventListener("click", () => setLang(LANG === "fr" ? "en" : "fr"));
document.getElementById("logout").addEventListener("click", () => logout());
requireLogin(start);
