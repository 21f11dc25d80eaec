/**
 * The roles editor page (builder/role.html): per entity of the app, create/read/update/delete as
 * Allowed, Not allowed or "Only when…" a condition (the shared FormulaEditor, BOOLEAN expected),
 * and each field's level (write/read/hidden) with "show in clear" for sensitive fields. It edits
 * the role document itself, so what is saved is exactly the JSON role.schema.json defines; grants
 * on other apps' entities are kept as they are. Saves carry the revision the page started from; a
 * 409 opens the shared conflict dialog. Problems are pinned to the entity or field they name.
 */

import { chooseVersion } from "./conflict-dialog.js";
import { el, localize, sendJSON } from "./form-api.js";
import { conditionInput } from "./form-condition.js";

const ACTIONS = ["create", "read", "update", "delete"];
const LEVELS = ["write", "read", "hidden"];

const root = document.querySelector("[data-role-editor]");
const state = JSON.parse(root.dataset.state);
const text = JSON.parse(root.dataset.text);
const part = (name) => root.querySelector(`[data-part="${name}"]`);

let doc = structuredClone(state.document);
let revision = state.revision;
let dirty = false;
let problems = { entity: new Map(), field: new Map() };

/** The key a grant on this app's entity is written under: as the document has it, else the bare name. */
function keyOf(name) {
  const entities = doc.entities || {};
  const qualified = `${state.app}.${name}`;
  return !(name in entities) && qualified in entities ? qualified : name;
}

const grantOf = (name) => (doc.entities || {})[keyOf(name)];

/** The grant to change, created when missing; ``tidy`` drops what says nothing afterwards. */
function editGrant(name, change) {
  doc.entities ||= {};
  const key = keyOf(name);
  const grant = doc.entities[key] || {};
  change(grant);
  if (grant.fields && !Object.keys(grant.fields).length) delete grant.fields;
  if (grant.reveal && !grant.reveal.length) delete grant.reveal;
  if (Object.keys(grant).length) doc.entities[key] = grant;
  else delete doc.entities[key];
  const line = root.querySelector(`[data-testid="role-entity-${name}"] [data-part="summary"]`);
  if (line) line.textContent = summary({ name });
  edited();
}

const modeOf = (rule) => (rule === true ? "allowed" : typeof rule === "string" ? "only_when" : "not_allowed");

function edited() {
  setDirty(true);
  notice(null);
}

function setDirty(value) {
  dirty = value;
  part("dirty").hidden = !value;
  part("clean").hidden = value;
  part("save").disabled = !value;
}

function notice(kind, message = "") {
  const box = part("notice");
  box.hidden = !kind;
  if (kind) box.className = `alert alert-${kind} py-2 small mb-3`;
  box.textContent = message;
}

const unescapePointer = (step) => step.replace(/~1/g, "/").replace(/~0/g, "~");

/** Pin each problem of this file to its entity (and field); the rest go in the box on top. */
function showProblems(all) {
  problems = { entity: new Map(), field: new Map() };
  const mine = all.filter((p) => p.file === state.path);
  const names = new Map(state.entities.map((e) => [keyOf(e.name), e.name]));
  const loose = [];
  for (const problem of mine) {
    const steps = (problem.pointer || "").split("/").slice(1).map(unescapePointer);
    const entity = steps[0] === "entities" ? names.get(steps[1]) : undefined;
    if (!entity) { loose.push(problem); continue; }
    let field = null;
    if (steps[2] === "fields" && steps[3]) field = steps[3];
    if (steps[2] === "reveal" && steps[3]) field = (grantOf(entity)?.reveal || [])[Number(steps[3])] ?? null;
    const map = field ? problems.field : problems.entity;
    const where = field ? `${entity}.${field}` : entity;
    const message = !field && ACTIONS.includes(steps[2]) ? `${text[steps[2]]}: ${problem.message}` : problem.message;
    map.set(where, [...(map.get(where) || []), message]);
  }
  const box = part("problems");
  box.hidden = !loose.length;
  box.replaceChildren(...loose.map((p) => el("div", {}, el("span", { class: "font-monospace" }, p.pointer || state.path), ` — ${p.message}`)));
  part("problem-count").hidden = !mine.length;
}

function actionControl(entity, action, redrawCard) {
  const rule = grantOf(entity.name)?.[action];
  const id = `re-${entity.name}-${action}`;
  const select = el("select", { class: "form-select form-select-sm", id, "data-testid": `rule-${entity.name}-${action}`,
    onchange: () => {
      editGrant(entity.name, (grant) => {
        if (select.value === "allowed") grant[action] = true;
        else if (select.value === "only_when") grant[action] = typeof grant[action] === "string" ? grant[action] : "";
        else delete grant[action];
      });
      redrawCard();
    } },
  ...["allowed", "not_allowed", "only_when"].map((mode) => el("option", { value: mode, selected: modeOf(rule) === mode }, text[mode])));
  return el("div", { class: "col-6 col-md-3" },
    el("label", { class: "form-label small fw-semibold mb-1", for: id }, text[action]), select);
}

function fieldRow(entity, field) {
  const grant = grantOf(entity.name) || {};
  const level = grant.fields?.[field.name] || "write";
  const select = el("select", { class: "form-select form-select-sm re-level", "aria-label": `${localize(field.label, field.name)} — ${text.access}`,
    "data-testid": `level-${entity.name}-${field.name}`,
    onchange: () => editGrant(entity.name, (g) => {
      g.fields ||= {};
      if (select.value === "write") delete g.fields[field.name];
      else g.fields[field.name] = select.value;
    }) },
  ...LEVELS.map((value) => el("option", { value, selected: value === level }, text[value === "read" ? "read_level" : value])));
  let reveal = null;
  if (field.sensitive) {
    const box = el("input", { type: "checkbox", class: "form-check-input", id: `re-reveal-${entity.name}-${field.name}`,
      "data-testid": `reveal-${entity.name}-${field.name}`,
      onchange: () => editGrant(entity.name, (g) => {
        const list = (g.reveal || []).filter((n) => n !== field.name);
        g.reveal = box.checked ? [...list, field.name] : list;
      }) });
    box.checked = (grant.reveal || []).includes(field.name);
    reveal = el("div", { class: "form-check mb-0" }, box,
      el("label", { class: "form-check-label small", for: box.id }, text.reveal));
  }
  const issues = problems.field.get(`${entity.name}.${field.name}`) || [];
  return el("tr", { "data-testid": `field-row-${entity.name}-${field.name}`, class: issues.length ? "table-danger" : "" },
    el("td", {}, el("div", { class: "fw-semibold small" }, localize(field.label, field.name),
      field.sensitive ? el("span", { class: "badge text-bg-light border ms-2" }, text.sensitive) : null),
    el("div", { class: "small text-body-secondary font-monospace" }, field.name),
    ...issues.map((m) => el("div", { class: "small text-danger", "data-testid": "field-problem" }, m))),
    el("td", { class: "re-level-cell" }, select),
    el("td", { class: "re-reveal-cell" }, reveal));
}

function summary(entity) {
  const grant = grantOf(entity.name);
  if (!grant || !ACTIONS.some((a) => a in grant && grant[a] !== false)) return text.no_access;
  const limited = Object.keys(grant.fields || {}).length;
  const parts = ACTIONS.filter((a) => modeOf(grant[a]) !== "not_allowed")
    .map((a) => (modeOf(grant[a]) === "only_when" ? `${text[a]}*` : text[a]));
  return parts.join(" · ") + (limited ? ` · ${text.n_fields_limited.replace("{n}", limited)}` : "");
}

function entityCard(entity) {
  const card = el("section", { class: "card border-0 shadow-sm mb-3 re-entity", "data-testid": `role-entity-${entity.name}` });
  const draw = () => {
    const grant = grantOf(entity.name) || {};
    const issues = problems.entity.get(entity.name) || [];
    const conditions = ACTIONS.filter((a) => modeOf(grant[a]) === "only_when").map((action) => conditionInput({
      app: state.app, entity: entity.name, label: `${text[action]} — ${text.only_when}`, value: grant[action], text,
      testid: `cond-${entity.name}-${action}`,
      onChange: (value) => editGrant(entity.name, (g) => { g[action] = value; }),
    }));
    const limited = Object.keys(grant.fields || {}).length + (grant.reveal || []).length;
    const details = el("details", { class: "re-fields", open: limited > 0 || problems.field.size > 0 },
      el("summary", { class: "small fw-semibold", "data-testid": `fields-toggle-${entity.name}` }, `${text.fields} (${entity.fields.length})`),
      el("table", { class: "table table-sm align-middle mb-0 mt-2" },
        el("thead", {}, el("tr", {}, el("th", { class: "small" }, text.field), el("th", { class: "small" }, text.access), el("th"))),
        el("tbody", {}, entity.fields.map((field) => fieldRow(entity, field)))));
    card.classList.toggle("re-has-problems", issues.length > 0);
    card.replaceChildren(
      el("div", { class: "card-header bg-transparent d-flex align-items-center gap-2" },
        el("div", { class: "me-auto min-w-0" }, el("span", { class: "fw-semibold" }, localize(entity.label, entity.name)),
          el("span", { class: "small text-body-secondary font-monospace ms-2" }, entity.name)),
        el("span", { class: "small text-body-secondary text-truncate", "data-part": "summary" }, summary(entity))),
      el("div", { class: "card-body" },
        ...issues.map((m) => el("div", { class: "alert alert-danger py-1 px-2 small mb-2", "data-testid": "entity-problem" }, m)),
        el("div", { class: "row g-2 mb-2" }, ACTIONS.map((action) => actionControl(entity, action, draw))),
        conditions.length ? el("div", { class: "re-conditions" }, conditions) : null,
        details));
  };
  card.redraw = draw;
  return card;
}

function redraw() {
  const cards = state.entities.map(entityCard);
  part("entities").replaceChildren(...(cards.length ? cards : [el("p", { class: "small text-body-secondary" }, text.no_entities)]));
  for (const card of cards) card.redraw();
  for (const input of root.querySelectorAll("[data-label]")) {
    const label = doc.label;
    input.value = typeof label === "string" ? label : (label?.[input.dataset.label] || "");
  }
}

function setLabel() {
  const label = {};
  for (const input of root.querySelectorAll("[data-label]")) if (input.value.trim()) label[input.dataset.label] = input.value.trim();
  if (Object.keys(label).length) doc.label = label;
  else delete doc.label;
  edited();
}

/** A role as lines "entity: create, read*…", for the conflict dialog; lines the other lacks are marked. */
function outline(role, other) {
  if (!role) return el("p", { class: "small text-body-secondary" }, text.removed);
  const line = (key, grant) => `${key}: ${ACTIONS.map((a) => `${a}=${JSON.stringify(grant[a] ?? false)}`).join(", ")}`
    + (grant.fields ? ` · ${JSON.stringify(grant.fields)}` : "") + (grant.reveal ? ` · reveal ${grant.reveal.join(", ")}` : "");
  const others = new Set(Object.entries(other?.entities || {}).map(([k, g]) => line(k, g)));
  return el("ul", { class: "list-unstyled small mb-0" }, Object.entries(role.entities || {}).map(([key, grant]) => {
    const differs = !others.has(line(key, grant));
    return el("li", { class: `re-conflict-line font-monospace${differs ? " re-differs" : ""}` }, line(key, grant),
      differs ? el("span", { class: "badge text-bg-warning ms-2" }, text.differs) : null);
  }));
}

async function save(base = revision) {
  part("save").disabled = true;
  const document = structuredClone(doc);
  const { status, data } = await sendJSON("PUT", `/builder/api/${state.app}/documents/${state.path}`, { document, revision: base });
  if (status === 200) {
    revision = data.revision;
    setDirty(false);
    showProblems(data.problems);
    notice("success", data.problems.some((p) => p.file === state.path) ? text.saved_with_problems : text.saved);
    redraw();
  } else if (status === 409) {
    part("save").disabled = false;
    const details = data.error.details;
    const choice = await chooseVersion(root.querySelector("[data-conflict]"), outline(details.theirs, document), outline(document, details.theirs));
    if (choice === "mine") save(details.theirs_revision);
    else if (choice === "theirs") {
      revision = details.theirs_revision;
      doc = structuredClone(details.theirs || state.document);
      setDirty(false);
      notice("info", text.took_theirs);
      redraw();
    }
  } else {
    part("save").disabled = false;
    notice("danger", data?.error?.message || text.save_failed);
  }
}

part("save").addEventListener("click", () => save());
for (const input of root.querySelectorAll("[data-label]")) input.addEventListener("input", setLabel);
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "s") {
    event.preventDefault();
    if (dirty) save();
  }
});
window.addEventListener("beforeunload", (event) => {
  if (dirty) event.preventDefault();
});
showProblems(state.problems);
setDirty(false);
redraw();
