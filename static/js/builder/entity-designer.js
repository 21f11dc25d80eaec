// The entity designer: palette | fields | properties over one entities/<name>.json of the draft.
// The document is edited in memory and saved whole with the revision it was loaded at; a 409
// opens the conflict dialog. Server problems are pinned to the field objects they point at
// when they arrive, so they follow the field through later moves.

import { t } from "../i18n.js";
import { BuilderApi } from "./api.js";
import { resolveConflict } from "./conflict.js";
import { el, localize } from "./dom.js";
import { renderEntityPanel } from "./entity-settings.js";
import { FieldList } from "./field-list.js";
import { renderPalette } from "./palette.js";
import { renderFieldPanel } from "./properties.js";

const root = document.getElementById("entity-designer");
const api = new BuilderApi(root);
const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const part = (selector) => root.querySelector(selector);

/** What a field of each type starts with, so that it is valid (or nearly) the moment it is added. */
const STARTERS = {
  select: () => ({ options: [{ value: "option_1", label: { en: t("Option {n}", { n: 1 }) }, color: "#2f5bea" }] }),
  multiselect: () => STARTERS.select(),
  formula: () => ({ expression: "", result: "decimal" }),
  rollup: () => ({ function: "sum" }),
  autonumber: () => ({ format: "NO-{#####}" }),
};

const state = {
  path: root.dataset.path, name: root.dataset.name, doc: null, revision: null, documents: {}, types: new Map(),
  selected: null, dirty: false, problems: [], fieldProblems: new WeakMap(), entityProblems: [],
  loadedNames: new WeakMap(), // field -> its name when loaded, to record renames of stored columns
  added: new WeakSet(),
};

const list = new FieldList(part("[data-field-list]"), {
  fields: () => state.doc.fields,
  problemsOf: (field) => state.fieldProblems.get(field) || [],
  isTitle: (field) => field.name && field.name === state.doc.title_field,
  onSelect: (field) => select(field),
  onMove: move,
  onAdd: add,
  onDelete: remove,
});

const context = {
  get types() { return state.types; },
  get doc() { return state.doc; },
  get entityProblems() { return state.entityProblems; },
  name: state.name,
  otherEntities: JSON.parse(root.dataset.otherEntities || "[]"),
  fields: () => state.doc.fields,
  entities: () => Object.entries(state.documents).filter(([path]) => path.startsWith("entities/"))
    .map(([, doc]) => ({ name: doc.name, label: doc.label })),
  fieldsOf: (entity) => (entity === state.name ? state.doc : state.documents[`entities/${entity}.json`])?.fields || [],
  entityUrl: (name) => api.entityUrl(name),
  isNew: (field) => state.added.has(field),
  problemsOf: (field) => state.fieldProblems.get(field) || [],
  checkFormula: (expression, sample) => api.formula(state.doc, expression, sample),
  text: JSON.parse(root.dataset.text),
  nameProblem,
  rename,
  retype,
  changed: (field, rerender) => { markDirty(); list.update(field); if (rerender) drawPanel(); },
  changedEntity: (rerender) => { markDirty(); drawHeader(); if (rerender) drawPanel(); },
  createChild,
};

async function load() {
  const [draft, types] = await Promise.all([api.draft(), state.types.size ? null : api.fieldTypes()]);
  if (!draft.ok) return status(draft.data.error?.message || t("Could not load the draft"), true);
  if (types) {
    for (const type of types.data.data) state.types.set(type.name, type);
    renderPalette(part("[data-palette]"), types.data.data, (type) => add(type, state.doc.fields.length));
  }
  state.documents = draft.data.documents;
  if (!state.documents[state.path]) return status(t("This entity is no longer in the draft."), true); // removed meanwhile
  state.doc = structuredClone(state.documents[state.path]);
  state.doc.fields ||= [];
  state.revision = draft.data.revisions[state.path] ?? null;
  state.doc.fields.forEach((field) => state.loadedNames.set(field, field.name));
  pinProblems(draft.data.problems, state.doc);
  setDirty(false);
  list.render();
  select(state.doc.fields[0] || null);
  drawHeader();
  document.body.dataset.designerReady = "1";
  document.body.dataset.designerReadyMs = String(Math.round(performance.now()));
}

function select(field) {
  state.selected = field;
  list.select(field);
  part("[data-entity-settings]").classList.toggle("active", field === null);
  drawPanel();
}

function drawPanel() {
  const panel = part("[data-props]");
  if (state.selected && state.doc.fields.includes(state.selected)) renderFieldPanel(panel, state.selected, context);
  else renderEntityPanel(panel, context);
}

function drawHeader() {
  part("[data-entity-title]").textContent = localize(state.doc.label, state.name);
  const n = state.doc.fields.length;
  part("[data-field-count]").textContent = n === 1 ? t("1 field") : t("{n} fields", { n });
}

function uniqueName() {
  const taken = new Set(state.doc.fields.map((f) => f.name));
  let n = state.doc.fields.length + 1;
  while (taken.has(`field_${n}`)) n += 1;
  return `field_${n}`;
}

function add(type, at) {
  const field = { name: uniqueName(), type, label: { en: t("New field") }, ...(STARTERS[type]?.() || {}) };
  state.doc.fields.splice(at, 0, field);
  state.added.add(field);
  markDirty();
  list.render();
  select(field);
  drawHeader();
  list.focus(field);
}

function move(from, to, keepFocus) {
  const fields = state.doc.fields;
  if (to < 0 || to >= fields.length || from === to) return;
  const [field] = fields.splice(from, 1);
  fields.splice(to, 0, field);
  markDirty();
  list.render();
  list.select(state.selected);
  if (keepFocus) list.focus(field);
}

function remove(field) {
  if (!window.confirm(t("Delete the field “{name}”? Its data is archived when you publish, not lost.", { name: field.name }))) return;
  const index = state.doc.fields.indexOf(field);
  state.doc.fields.splice(index, 1);
  if (state.doc.title_field === field.name) delete state.doc.title_field;
  markDirty();
  list.render();
  select(state.doc.fields[Math.min(index, state.doc.fields.length - 1)] || null);
  drawHeader();
}

/** Why `name` cannot be this field's name (pattern, duplicates); reserved words come from the server. */
function nameProblem(field, name) {
  if (!NAME.test(name)) return t("Use a-z, 0-9 and _, starting with a letter (at most 40).");
  if (state.doc.fields.some((f) => f !== field && f.name === name)) return t("Another field already has this name.");
  return null;
}

/** Rename, keeping the title field pointing at it and recording the old name of a stored field. */
function rename(field, name) {
  const before = field.name;
  const sole = state.doc.fields.filter((f) => f.name === before).length === 1; // not while two share a name
  if (sole && state.doc.title_field === before) state.doc.title_field = name;
  field.name = name;
  const loaded = state.loadedNames.get(field);
  if (loaded && !field.renamed_from) field.renamed_from = loaded;
  if (field.renamed_from === name) delete field.renamed_from;
  markDirty();
  list.update(field);
}

/** Change a field's type: drop the options the new type has not, add the ones it starts with. */
function retype(field, type) {
  const allowed = state.types.get(type).schema.properties;
  for (const key of Object.keys(field)) if (!(key in allowed)) delete field[key];
  Object.assign(field, { ...(STARTERS[type]?.() || {}), ...field, type });
  context.changed(field, true);
}

async function createChild(name) {
  const path = `entities/${name}.json`;
  if (state.documents[path]) return t("This app already has an entity named {name}.", { name });
  const document = { name, label: { en: name.replace(/_/g, " ") }, title_field: "name",
    fields: [{ name: "name", type: "text", label: { en: "Name", zh: "名称" } }] };
  const reply = await api.save(path, document, null);
  if (!reply.ok) return reply.data.error?.message || t("Could not create it");
  state.documents[path] = document;
  return null;
}

/** Attach the draft's problems about this file to the objects of `doc` they point at. */
function pinProblems(problems, doc) {
  state.problems = problems.filter((p) => p.file === state.path);
  state.fieldProblems = new WeakMap();
  state.entityProblems = [];
  for (const problem of state.problems) {
    const [head, index, prop = ""] = problem.pointer.split("/").slice(1);
    const field = head === "fields" ? doc.fields[Number(index)] : null;
    if (field) {
      state.fieldProblems.set(field, [...(state.fieldProblems.get(field) || []), { ...problem, prop }]);
    } else {
      state.entityProblems.push({ ...problem, prop: head === "rules" ? `rules/${index}` : head || "" });
    }
  }
  drawProblems();
}

function drawProblems() {
  const box = part("[data-problems]");
  box.classList.toggle("d-none", !state.problems.length);
  const n = state.problems.length;
  part("[data-problems-title]").textContent = n === 1 ? t("1 problem to fix before publishing") : t("{n} problems to fix before publishing", { n });
  part("[data-problems-list]").replaceChildren(...state.problems.map((problem) => {
    const [head, index] = problem.pointer.split("/").slice(1);
    const field = head === "fields" ? state.doc.fields[Number(index)] : null;
    return el("li", {}, [
      el("button", { type: "button", class: "btn btn-link btn-sm p-0 align-baseline font-monospace",
        text: field ? field.name || `#${Number(index) + 1}` : problem.pointer || state.path, onclick: () => select(field) }),
      el("span", { text: ` — ${problem.message}` }),
    ]);
  }));
}

function markDirty() { setDirty(true); }

function setDirty(dirty) {
  state.dirty = dirty;
  part("[data-dirty]").classList.toggle("d-none", !dirty);
  part("[data-save]").disabled = !dirty;
}

function status(text, error = false) {
  const box = part("[data-status]");
  box.textContent = text;
  box.classList.toggle("text-danger", error);
}

async function save(revision = state.revision) {
  const sent = structuredClone(state.doc);
  part("[data-save]").disabled = true;
  status(t("Saving…"));
  const reply = await api.save(state.path, sent, revision);
  if (reply.ok) {
    state.revision = reply.data.revision;
    state.documents[state.path] = sent;
    pinProblems(reply.data.problems, state.doc);
    setDirty(JSON.stringify(sent) !== JSON.stringify(state.doc)); // edits made while saving stay unsaved
    status(state.problems.length ? t("Saved, with problems to fix") : t("Saved"));
    list.render();
    list.select(state.selected);
    drawPanel();
  } else if (reply.status === 409) {
    status(t("Not saved: someone else saved first"), true);
    part("[data-save]").disabled = false;
    const details = reply.data.error?.details || {};
    const choice = await resolveConflict(root, details.theirs, state.doc);
    if (choice === "mine") await save(details.theirs_revision ?? null);
    else if (choice === "theirs") { status(t("Their version is loaded")); await load(); }
  } else {
    status(reply.data.error?.message || t("Not saved (error {status})", { status: reply.status }), true);
    part("[data-save]").disabled = false;
  }
}

part("[data-save]").addEventListener("click", () => save());
part("[data-entity-settings]").addEventListener("click", () => select(null));
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "s") {
    event.preventDefault();
    if (state.dirty) save();
  }
});
window.addEventListener("beforeunload", (event) => {
  if (!state.dirty) return;
  event.preventDefault();
  event.returnValue = ""; // older Chromium still needs it to ask
});

load();
