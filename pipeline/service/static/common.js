// Shared by the dashboard pages: i18n (fr/en), API helper, login overlay. No dependencies.
"use strict";

const I18N = {
  fr: {
    queue: "File d'attente", history: "Historique", reports: "Rapports", logout: "Déconnexion",
    login: "Connexion", username: "Identifiant", password: "Mot de passe", sign_in: "Se connecter",
    bad_login: "Identifiant ou mot de passe incorrect", live: "en direct", offline: "déconnecté",
    on_call: "De garde", open: "Cabinet ouvert", closed: "Cabinet fermé",
    select_call: "Sélectionnez un appel dans la file.", transcript: "Transcription",
    form: "Fiche de triage", classification: "Classification", acknowledge: "Acquitter",
    take_over: "Prendre l'appel", confirm: "Confirmer", save: "Enregistrer",
    correct: "Corriger", intent: "Motif", urgency: "Urgence", red_flag: "Signe d'alerte",
    none: "aucun", emergency: "URGENCE VITALE", urgent: "Urgent", routine: "Routine",
    unknown: "?", alert_title: "URGENCE — appel transféré au médecin de garde",
    call_15: "Conseiller d'appeler le 15 / 112", acknowledged_by: "Acquitté par",
    needs_ack: "à acquitter", escalated: "Escaladé", evidence: "Éléments", search: "Rechercher",
    empty_queue: "Aucun appel en attente.", saved: "Enregistré", sound_on: "Activer le son",
    decision: "Décision", reasons: "Raisons", started: "Début", caller: "Appelant",
    agent: "Agent", scores: "Scores", no_calls: "Aucun appel.", total: "Total",
    volume_day: "Appels par jour", volume_hour: "Appels par heure", by_intent: "Par motif",
    by_urgency: "Par urgence", time_to_handoff: "Délai avant transfert (s)",
    ack_time: "Délai d'acquittement (s)", correction_rate: "Taux de correction",
    median: "médiane", days: "jours", taken_over_by: "Pris par", target: "Cible",
  },
  en: {
    queue: "Queue", history: "History", reports: "Reports", logout: "Log out",
    login: "Log in", username: "Username", password: "Password", sign_in: "Sign in",
    bad_login: "Wrong username or password", live: "live", offline: "disconnected",
    on_call: "On call", open: "Practice open", closed: "Practice closed",
    select_call: "Select a call in the queue.", transcript: "Transcript",
    form: "Triage form", classification: "Classification", acknowledge: "Acknowledge",
    take_over: "Take over", confirm: "Confirm", save: "Save",
    correct: "Correct", intent: "Intent", urgency: "Urgency", red_flag: "Red flag",
    none: "none", emergency: "EMERGENCY", urgent: "Urgent", routine: "Routine",
    unknown: "?", alert_title: "EMERGENCY — call handed to the on-call physician",
    call_15: "Advise calling 15 / 112", acknowledged_by: "Acknowledged by",
    needs_ack: "to acknowledge", escalated: "Escalated", evidence: "Evidence", search: "Search",
    empty_queue: "No call waiting.", saved: "Saved", sound_on: "Enable sound",
    decision: "Decision", reasons: "Reasons", started: "Started", caller: "Caller",
    agent: "Agent", scores: "Scores", no_calls: "No calls.", total: "Total",
    volume_day: "Calls by day", volume_hour: "Calls by hour", by_intent: "By intent",
    by_urgency: "By urgency", time_to_handoff: "Time to handoff (s)",
    ack_time: "Acknowledgment time (s)", correction_rate: "Correction rate",
    median: "median", days: "days", taken_over_by: "Taken by", target: "Target",
  },
};

const LABELS = {
  intent: ["symptom_report", "appointment_booking", "appointment_change", "prescription_renewal",
           "test_results", "administrative", "other"],
  urgency: ["emergency", "urgent", "routine"],
  red_flag: ["chest_pain", "breathing", "stroke", "consciousness", "bleeding", "anaphylaxis",
             "infant_fever", "suicidal", "seizure", "meningitis", "poisoning", "obstetric",
             "trauma", "sepsis", "acute_abdomen", "diabetic"],
};

const RED_FLAG_NAMES = {
  fr: {chest_pain: "douleur thoracique", breathing: "détresse respiratoire", stroke: "AVC",
       consciousness: "trouble de conscience", bleeding: "hémorragie", anaphylaxis: "anaphylaxie",
       infant_fever: "fièvre du nourrisson", suicidal: "risque suicidaire", seizure: "convulsions",
       meningitis: "méningite / purpura", poisoning: "intoxication", obstetric: "urgence obstétricale",
       trauma: "traumatisme grave", sepsis: "sepsis / infection grave",
       acute_abdomen: "abdomen aigu", diabetic: "urgence diabétique"},
  en: {chest_pain: "chest pain", breathing: "breathing difficulty", stroke: "stroke",
       consciousness: "altered consciousness", bleeding: "heavy bleeding", anaphylaxis: "anaphylaxis",
       infant_fever: "infant fever", suicidal: "suicide risk", seizure: "seizure",
       meningitis: "meningitis / purpura", poisoning: "poisoning", obstetric: "obstetric emergency",
       trauma: "major trauma", sepsis: "sepsis / severe infection",
       acute_abdomen: "acute abdomen", diabetic: "diabetic emergency"},
};

// French practice first; the FR / EN toggle is remembered per browser.
const VALUE_NAMES = {
  fr: {
    symptom_report: "symptômes / conseil", appointment_booking: "prise de rendez-vous",
    appointment_change: "modification de rendez-vous", prescription_renewal: "renouvellement d'ordonnance",
    test_results: "résultats d'examens", administrative: "administratif", other: "autre",
    transfer_physician: "transfert au médecin", transfer_secretary: "transfert au secrétariat",
    transfer_nurse: "transfert à l'infirmière", advise_emergency_services: "conseil d'appeler le 15 / 112",
    priority_queue: "file prioritaire", normal: "traité par l'agent", message_or_callback: "message / rappel",
    caller_name: "appelant", relationship: "lien avec le patient", patient_name: "patient",
    patient_age: "âge", date_of_birth: "date de naissance", callback_number: "numéro de rappel",
    symptoms: "symptômes", onset: "début", temperature_c: "température (°C)",
    pregnancy_weeks: "grossesse (SA)", requested_practitioner: "praticien demandé",
    preferred_time: "créneau souhaité", reason: "motif", emergency: "urgence vitale",
    urgent: "urgent", routine: "routine",
  },
  en: {
    symptom_report: "symptoms / advice", appointment_booking: "appointment booking",
    appointment_change: "appointment change", prescription_renewal: "prescription renewal",
    test_results: "test results", administrative: "administrative", other: "other",
    transfer_physician: "transfer to physician", transfer_secretary: "transfer to secretary",
    transfer_nurse: "transfer to nurse line", advise_emergency_services: "advise calling 15 / 112",
    priority_queue: "priority queue", normal: "handled by the agent", message_or_callback: "message / call-back",
    caller_name: "caller", relationship: "relationship", patient_name: "patient",
    patient_age: "age", date_of_birth: "date of birth", callback_number: "call-back number",
    symptoms: "symptoms", onset: "onset", temperature_c: "temperature (°C)",
    pregnancy_weeks: "pregnancy (weeks)", requested_practitioner: "requested practitioner",
    preferred_time: "preferred time", reason: "reason", emergency: "emergency",
    urgent: "urgent", routine: "routine",
  },
};

/** Human name of an intent or handoff action (the raw value stays in the data). */
function valueName(v) { return v ? ((VALUE_NAMES[LANG] || {})[v] || v) : ""; }

let LANG = localStorage.getItem("permanence.lang") || "fr";
if (!I18N[LANG]) LANG = "fr";

function t(key) { return (I18N[LANG] && I18N[LANG][key]) || key; }
function flagName(cat) { return (RED_FLAG_NAMES[LANG] || {})[cat] || cat; }

function applyI18n(root) {
  (root || document).querySelectorAll("[data-i18n]").forEach(el => { el.textContent = t(el.dataset.i18n); });
  (root || document).querySelectorAll("[data-i18n-placeholder]").forEach(el => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  document.documentElement.lang = LANG;
}

function setLang(lang) {
  LANG = lang; localStorage.setItem("permanence.lang", lang); applyI18n();
  if (window.onLangChange) window.onLangChange();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  return fill(node, ...children);
}

/** Replace a node's children as el() builds them: null, undefined and false are skipped,
 * strings become text. (The DOM's own replaceChildren writes null as the text "null": an
 * unclassified call's detail read "nullnull" where its decision and evidence would be.) */
function fill(node, ...children) {
  node.replaceChildren();
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

class ApiError extends Error { constructor(status, detail) { super(detail); this.status = status; } }

async function api(method, path, body) {
  const opts = {method, headers: {}, credentials: "same-origin"};
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const res = await fetch(path, opts);
  if (res.status === 401) { showLogin(); throw new ApiError(401, "unauthenticated"); }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
  if (!res.ok) throw new ApiError(res.status, (data && (data.message || data.detail)) || res.statusText);
  return data;
}

function fmtTime(ts) {
  if (!ts) return "";
  const d = new Date(ts * 1000);
  return d.toLocaleString(LANG === "fr" ? "fr-FR" : "en-GB", {day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit"});
}

let _onLogin = null;

function showLogin() {
  if (document.getElementById("login")) return;
  const err = el("div", {class: "login-error", id: "login-error"});
  const form = el("form", {class: "login-card", id: "login-form"},
    el("h2", {}, "permanence — ", t("login")),
    el("label", {}, t("username"), el("input", {name: "username", id: "login-username", autocomplete: "username", required: true})),
    el("label", {}, t("password"), el("input", {name: "password", id: "login-password", type: "password", autocomplete: "current-password", required: true})),
    err,
    el("button", {type: "submit", class: "primary", id: "login-submit"}, t("sign_in")));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    // The click that logs in also unlocks sound (browsers require a user gesture).
    unlockAudio();
    const body = {username: form.username.value, password: form.password.value};
    const res = await fetch("/api/auth/login", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body), credentials: "same-origin"});
    if (!res.ok) { err.textContent = t("bad_login"); return; }
    const me = await res.json();
    document.getElementById("login").remove();
    if (_onLogin) _onLogin(me);
  });
  document.body.append(el("div", {id: "login", class: "overlay"}, form));
}

async function requireLogin(onReady) {
  _onLogin = onReady;
  try {
    const me = await api("GET", "/api/auth/me");
    onReady(me);
  } catch (e) { if (e.status !== 401) throw e; }
}

async function logout() {
  try { await api("POST", "/api/auth/logout"); } catch (e) { /* already logged out */ }
  location.reload();
}

// -- sound: a WebAudio beep (no audio file, works offline) --------------------------------------
let AUDIO = null;
function unlockAudio() {
  try {
    if (!AUDIO) AUDIO = new (window.AudioContext || window.webkitAudioContext)();
    if (AUDIO.state === "suspended") AUDIO.resume();
  } catch (e) { AUDIO = null; }
}
function beep(times) {
  if (!AUDIO) unlockAudio();
  if (!AUDIO) return false;
  const now = AUDIO.currentTime;
  for (let i = 0; i < (times || 3); i++) {
    const osc = AUDIO.createOscillator(), gain = AUDIO.createGain();
    osc.type = "square"; osc.frequency.value = i % 2 ? 660 : 880;
    gain.gain.setValueAtTime(0.0001, now + i * 0.3);
    gain.gain.exponentialRampToValueAtTime(0.3, now + i * 0.3 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.3 + 0.25);
    osc.connect(gain).connect(AUDIO.destination);
    osc.start(now + i * 0.3); osc.stop(now + i * 0.3 + 0.27);
  }
  window.__beeps = (window.__beeps || 0) + 1;
  return AUDIO.state === "running";
}

// Header buttons are bound here, not with inline handlers: the Content-Security-Policy allows
// scripts from 'self' only, so an onclick="" attribute would never run.
function bindHeaderActions() {
  const actions = {"toggle-lang": () => setLang(LANG === "fr" ? "en" : "fr"), "logout": () => logout()};
  for (const node of document.querySelectorAll("[data-action]")) {
    const action = actions[node.dataset.action];
    if (action) node.addEventListener("click", action);
  }
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bindHeaderActions);
else bindHeaderActions();
