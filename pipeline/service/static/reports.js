// Reports: inline SVG bar charts drawn from GET /api/reports (aggregates only).
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const COLORS = {emergency: "#c62828", urgent: "#ef6c00", routine: "#2e7d32", unknown: "#9e9e9e"};

function svg(tag, attrs, ...children) {
  const n = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
  children.flat().forEach(c => n.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return n;
}

function barChart(items, opts) {
  // items: [{label, value}]; vertical bars with value labels, axis labels thinned when dense.
  const o = Object.assign({width: 560, height: 220, color: "#1565c0"}, opts || {});
  const pad = {l: 34, r: 8, t: 14, b: 46};
  const w = o.width - pad.l - pad.r, h = o.height - pad.t - pad.b;
  const max = Math.max(1, ...items.map(i => i.value));
  const bw = w / Math.max(1, items.length);
  const every = Math.ceil(items.length / 16);
  const root = svg("svg", {viewBox: `0 0 ${o.width} ${o.height}`, class: "chart", role: "img"});
  root.append(svg("line", {x1: pad.l, y1: pad.t + h, x2: pad.l + w, y2: pad.t + h, stroke: "#888"}));
  root.append(svg("text", {x: pad.l - 4, y: pad.t + 4, "text-anchor": "end", class: "axis"}, max));
  const sparse = items.length <= 8;
  items.forEach((it, i) => {
    const bh = (it.value / max) * h;
    const barW = Math.min(bw * 0.8, 70);
    const cx = pad.l + i * bw + bw / 2;
    const color = typeof o.color === "function" ? o.color(it) : o.color;
    root.append(svg("rect", {x: cx - barW / 2, y: pad.t + h - bh, width: barW, height: bh, fill: color},
      svg("title", {}, `${it.label}: ${it.value}`)));
    if (it.value && items.length <= 31) root.append(svg("text", {x: cx, y: pad.t + h - bh - 2, "text-anchor": "middle", class: "val"}, it.value));
    const label = String(it.label).length > 18 ? String(it.label).slice(0, 17) + "…" : String(it.label);
    if (sparse) root.append(svg("text", {x: cx, y: pad.t + h + 14, "text-anchor": "middle", class: "axis"}, label));
    else if (i % every === 0) root.append(svg("text", {x: cx, y: pad.t + h + 12, "text-anchor": "end",
      transform: `rotate(-40 ${cx} ${pad.t + h + 12})`, class: "axis"}, label));
  });
  return root;
}

function fmtS(v) { return v === null || v === undefined ? "—" : `${v}s`; }

async function load() {
  const days = document.getElementById("days").value;
  const r = await api("GET", `/api/reports?days=${days}`);
  document.getElementById("kpis").replaceChildren(
    el("div", {class: "kpi"}, el("div", {class: "kpi-value", id: "kpi-total"}, r.total_calls), el("div", {}, t("total"))),
    el("div", {class: "kpi"}, el("div", {class: "kpi-value"}, fmtS(r.time_to_handoff_s.median)), el("div", {}, `${t("time_to_handoff")} — ${t("median")}`)),
    el("div", {class: "kpi"}, el("div", {class: "kpi-value"}, fmtS(r.ack_time_s.median)), el("div", {}, `${t("ack_time")} — ${t("median")}`)),
    el("div", {class: "kpi"}, el("div", {class: "kpi-value", id: "kpi-correction"}, `${(r.correction_rate * 100).toFixed(1)}%`), el("div", {}, t("correction_rate"))));
  document.getElementById("chart-day").replaceChildren(barChart(r.volume_by_day.map(d => ({label: d.day.slice(5), value: d.count}))));
  document.getElementById("chart-hour").replaceChildren(barChart(r.volume_by_hour.map(d => ({label: `${d.hour}h`, value: d.count}))));
  document.getElementById("chart-intent").replaceChildren(barChart(Object.entries(r.by_intent).map(([k, v]) => ({label: valueName(k), value: v})), {color: "#6a1b9a"}));
  document.getElementById("chart-urgency").replaceChildren(barChart(Object.entries(r.by_urgency).map(([k, v]) => ({label: k === "unknown" ? "?" : t(k), key: k, value: v})), {color: it => COLORS[it.key] || "#9e9e9e"}));
  document.getElementById("chart-handoff").replaceChildren(barChart(r.time_to_handoff_histogram.map(b => ({label: b.label, value: b.count})), {color: "#c62828"}));
  document.getElementById("chart-ack").replaceChildren(barChart(r.ack_time_histogram.map(b => ({label: b.label, value: b.count})), {color: "#00838f"}));
}

window.onLangChange = load;
document.addEventListener("DOMContentLoaded", () => {
  applyI18n();
  document.getElementById("days").addEventListener("change", load);
  requireLogin(load);
});
