// The property panel of the selected field: name, type (with the conversion a lossy change
// needs) and labels, the editor its type needs (choices, link target, child table, formula,
// rollup, lookup) or controls generated from its options schema, then required/unique/default/
// help. Only one field's panel exists at a time, which keeps a 200-field entity as light as a
// 5-field one.

import { t } from "../i18n.js";
import { el, labelled } from "./dom.js";
import { FormulaEditor } from "./formula-editor.js";
import { optionsEditor } from "./options-editor.js";
import { typeGlyph, typeLabel } from "./palette.js";
import { linkEditor, lookupEditor, rollupEditor, tableEditor } from "./references.js";
import { COMMON_PROPS, defaultControl, labelInputs, schemaControl, selectControl, setProp } from "./schema-form.js";

/** Props drawn by the type's own editor below, so the generic loop skips them. */
const SPECIAL = {
  select: ["options"], multiselect: ["options"], link: ["target", "on_delete"], table: ["target"],
  formula: ["expression", "result"], rollup: ["source", "field", "function"], lookup: ["source", "field"],
};

/** The formula checker's types, as the `result` a formula field stores. */
const RESULT_OF = { TEXT: "text", INTEGER: "integer", DECIMAL: "decimal", BOOLEAN: "boolean", DATE: "date", DATETIME: "datetime" };

/** `ctx`: types, fields(), nameProblem(field, name), changed(field, rerender), problemsOf(field), checkFormula, … */
export function renderFieldPanel(panel, field, ctx) {
  const schema = ctx.types.get(field.type)?.schema || { properties: {} };
  const changed = (rerender = false) => ctx.changed(field, rerender);
  let defaults = defaultControl(field, schema.properties.default, changed);
  // New or removed choices change the default's list; redraw just that, keeping the focus where it is.
  const choicesChanged = () => {
    changed();
    const fresh = defaultControl(field, schema.properties.default, changed);
    defaults.replaceWith(fresh);
    defaults = fresh;
  };
  const body = el("div", { class: "ed-pane-body" }, [
    nameControl(field, ctx),
    typeControl(field, ctx),
    convertControl(field, schema, ctx, changed),
    labelInputs(field, "label", t("Label"), changed),
    ...typeSpecific(field, schema, ctx, changed, choicesChanged),
    section(t("Rules"), [
      check(field, "required", t("Required"), changed),
      "unique" in schema.properties && !ctx.types.get(field.type)?.computed ? check(field, "unique", t("Unique (no two records alike)"), changed) : null,
      defaults,
      labelInputs(field, "help", t("Help text"), changed),
    ]),
    el("details", { class: "ed-advanced" }, [
      el("summary", { class: "small text-body-secondary", text: t("Advanced") }),
      check(field, "index", t("Indexed (faster filters and sorting)"), changed),
      check(field, "read_only", t("Read only on forms"), changed),
      check(field, "hidden", t("Hidden on forms"), changed),
    ]),
  ]);
  panel.replaceChildren(el("div", { class: "ed-pane-head d-flex align-items-center gap-2" }, [
    typeGlyph(field.type), el("span", { class: "me-auto", text: typeLabel(field.type) }),
    el("span", { class: "small text-body-secondary fw-normal font-monospace", text: field.type }),
  ]), body);
  showProblems(body, ctx.problemsOf(field));
}

function section(title, children) {
  return el("fieldset", { class: "ed-section" }, [el("legend", { class: "ed-section-title", text: title }), ...children]);
}

function check(field, key, text, changed) {
  const box = el("input", { type: "checkbox", checked: field[key] === true, dataset: { prop: key, testid: `prop-${key}` } });
  box.addEventListener("change", () => { setProp(field, key, box.checked || undefined); changed(); });
  return labelled(text, box);
}

/** The name, checked as you type against the pattern and the other fields' names. */
function nameControl(field, ctx) {
  const input = el("input", { class: "form-control form-control-sm font-monospace", value: field.name || "",
    maxLength: 40, spellcheck: "false", autocomplete: "off", dataset: { prop: "name", testid: "prop-name" } });
  const feedback = el("div", { class: "invalid-feedback", dataset: { testid: "name-error" } });
  const validate = () => {
    const problem = ctx.nameProblem(field, input.value);
    input.classList.toggle("is-invalid", Boolean(problem));
    feedback.textContent = problem || "";
  };
  input.addEventListener("input", () => { ctx.rename(field, input.value.trim()); validate(); });
  validate();
  const wrap = labelled(t("Name (used in formulas and the API)"), input);
  wrap.append(feedback);
  return wrap;
}

/** The type, changeable to the types the field's column can take (`becomes`, from the server). */
function typeControl(field, ctx) {
  const becomes = ctx.types.get(field.type)?.becomes || [];
  if (!becomes.length) return null;
  const select = selectControl(field.type, [field.type, ...becomes].map((type) => [type, typeLabel(type)]), { testid: "prop-type" });
  select.dataset.prop = "type";
  select.addEventListener("change", () => ctx.retype(field, select.value));
  return labelled(ctx.text.type, select, ctx.text.type_help);
}

/** What to do with stored values the new type or length cannot hold. Shown while the server
 * says publishing would lose data without it (a problem at `convert`), or once one is chosen. */
function convertControl(field, schema, ctx, changed) {
  if (!field.convert && !ctx.problemsOf(field).some((problem) => problem.prop === "convert")) return null;
  const choices = schema.properties.convert.enum.map((value) => [value, t(CONVERT[value])]);
  const select = selectControl(field.convert || "", choices, { blank: "—", testid: "prop-convert" });
  select.dataset.prop = "convert";
  select.addEventListener("change", () => { setProp(field, "convert", select.value); changed(); });
  return labelled(ctx.text.convert, select);
}

/** The `convert` choices in words: the raw values mean little to an admin. */
const CONVERT = {
  truncate: "Cut values that are too long", null_invalid: "Empty values that cannot be converted (old values stay archived)",
  round: "Round to the new number of decimal places",
};

function typeSpecific(field, schema, ctx, changed, choicesChanged) {
  const rerenderOr = (rerender) => changed(rerender);
  const special = {
    select: () => [optionsEditor(field, choicesChanged)],
    multiselect: () => [optionsEditor(field, choicesChanged)],
    link: () => linkEditor(field, schema, ctx, rerenderOr),
    table: () => tableEditor(field, ctx, rerenderOr),
    formula: () => formulaControls(field, schema, ctx, changed),
    rollup: () => rollupEditor(field, schema, ctx, rerenderOr),
    lookup: () => lookupEditor(field, ctx, rerenderOr),
  }[field.type];
  const skip = new Set([...COMMON_PROPS, ...(SPECIAL[field.type] || [])]);
  const generic = Object.entries(schema.properties).filter(([key]) => !skip.has(key))
    .map(([key, prop]) => schemaControl(field, key, prop, changed));
  const parts = [...(special ? special() : []), ...generic];
  return parts.length ? [section(t("Settings"), parts)] : [];
}

/** Sample values typed for each formula field, kept while the page lives. */
const samples = new WeakMap();

function formulaControls(field, schema, ctx, changed) {
  if (!samples.has(field)) samples.set(field, {});
  const editor = new FormulaEditor({
    value: field.expression || "", testid: "formula", placeholder: "amount * quantity", sample: samples.get(field),
    check: (expression, sample) => ctx.checkFormula(expression, sample),
    onInput: (text) => { setProp(field, "expression", text); changed(); },
  });
  const result = schemaControl(field, "result", schema.properties.result, changed);
  // Follow the checked type until the admin picks a result type by hand.
  let followed = !field.result || ctx.isNew(field);
  result.querySelector("select").addEventListener("change", () => { followed = false; });
  editor.element.addEventListener("formula-checked", (event) => {
    const wanted = RESULT_OF[String(event.detail.type).split("(")[0]]; // DECIMAL(2) -> decimal
    if (!followed || !wanted || field.result === wanted) return;
    field.result = wanted;
    result.querySelector("select").value = wanted;
    changed();
  });
  return [el("div", { class: "mb-2", dataset: { prop: "expression" } }, [
    el("div", { class: "form-label small mb-1", text: t("Formula") }), editor.element]), result];
}

/** Server problems next to the control they point at (`/fields/3/options/0/value` -> "options"). */
export function showProblems(body, problems) {
  for (const problem of problems) {
    // The first match is the wrapper of the control (it precedes its input), or a bare control.
    const node = problem.prop ? body.querySelector(`[data-prop="${CSS.escape(problem.prop)}"]`) : null;
    const target = node && (["INPUT", "SELECT", "TEXTAREA"].includes(node.tagName) ? node.parentElement : node);
    const note = el("div", { class: "ed-problem small", dataset: { testid: "prop-problem" }, text: `⚠ ${problem.message}` });
    if (target) target.append(note);
    else body.prepend(note);
  }
}
