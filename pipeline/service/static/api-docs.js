// Offline API reference rendered from /openapi.json (FastAPI's Swagger UI needs a CDN).
"use strict";

function h(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => k === "class" ? (n.className = v) : n.setAttribute(k, v));
  kids.flat().forEach(k => k !== null && k !== undefined && n.append(k instanceof Node ? k : String(k)));
  return n;
}

function resolve(spec, schema, depth) {
  // Inline $refs (a few levels) so request and response bodies read as plain JSON schemas.
  if (!schema || depth > 4) return schema;
  if (schema.$ref) return resolve(spec, spec.components.schemas[schema.$ref.split("/").pop()], depth + 1);
  if (Array.isArray(schema)) return schema.map(s => resolve(spec, s, depth + 1));
  if (typeof schema !== "object") return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = (typeof v === "object") ? resolve(spec, v, depth + 1) : v;
  return out;
}

fetch("/openapi.json").then(r => r.json()).then(spec => {
  document.getElementById("intro").textContent = spec.info.description || "";
  const byTag = {};
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = (op.tags || ["other"])[0];
      (byTag[tag] = byTag[tag] || []).push({path, method, op});
    }
  }
  const root = document.getElementById("ops");
  for (const [tag, ops] of Object.entries(byTag)) {
    root.append(h("h2", {class: "tag"}, tag));
    for (const {path, method, op} of ops) {
      const params = (op.parameters || []).map(p => h("li", {}, h("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""}) `,
        JSON.stringify(resolve(spec, p.schema, 0))));
      const body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
      const ok = op.responses && (op.responses["200"] || op.responses["201"]);
      const okSchema = ok && ok.content && ok.content["application/json"] && ok.content["application/json"].schema;
      root.append(h("details", {class: "op"},
        h("summary", {}, h("span", {class: `method m-${method}`}, method.toUpperCase()), path, " ",
          h("span", {class: "muted"}, op.summary || "")),
        op.description ? h("p", {}, op.description) : null,
        params.length ? [h("strong", {}, "Parameters"), h("ul", {}, params)] : null,
        body ? [h("strong", {}, "Request body"), h("pre", {}, JSON.stringify(resolve(spec, body.schema, 0), null, 2))] : null,
        okSchema ? [h("strong", {}, "Response"), h("pre", {}, JSON.stringify(resolve(spec, okSchema, 0), null, 2))] : null));
    }
  }
  root.append(h("h2", {class: "tag"}, "push"),
    h("details", {class: "op"}, h("summary", {}, h("span", {class: "method m-websocket"}, "WS"), "/api/live ",
      h("span", {class: "muted"}, "dashboard push (cookie or ?token=)")),
      h("p", {}, "Messages: {kind, call_id, at, data}; kinds: hello (snapshot), call, transcript, classification, handoff, escalation, ack.")));
});
