/**
 * The properties panel of the selected section, tab or field: labels in English and Chinese,
 * columns, span, flags and the live-checked conditions. Edits go straight into the selected
 * object; ``ui.edited({keepProps: true})`` redraws the rest without replacing the input being typed in.
 */

import { el, localize } from "./form-api.js";
import { conditionInput } from "./form-condition.js";
import { isTab } from "./form-model.js";

const LANGUAGES = ["en", "zh"];

function group(label, control, id) {
  return el("div", { class: "mb-3" }, el("label", { class: "form-label small fw-semibold mb-1", for: id }, label), control);
}

/** en / zh inputs for a label that may be a plain string (it counts for every language). */
function labelInputs(ui, owner, key, placeholder, testid) {
  const current = owner[key];
  const map = typeof current === "string" ? { en: current } : { ...(current || {}) };
  return LANGUAGES.map((lang) => {
    const id = `fd-${testid}-${lang}`;
    const input = el("input", { id, class: "form-control form-control-sm", "data-testid": `${testid}-${lang}`,
      placeholder: placeholder[lang] || placeholder.en || "", lang });
    input.value = map[lang] || "";
    input.addEventListener("input", () => {
      map[lang] = input.value;
      owner[key] = { ...map };
      ui.edited({ keepProps: true });
    });
    return group(`${ui.text.label} (${lang === "en" ? "English" : "中文"})`, input, id);
  });
}

/** Buttons 1-4, the one in force pressed. */
function choice(ui, label, value, options, onPick, testid) {
  const buttons = options.map((n) => el("button", {
    type: "button", class: `btn btn-sm ${n === value ? "btn-primary" : "btn-outline-secondary"}`,
    "aria-pressed": String(n === value), "data-testid": `${testid}-${n}`,
    onclick: () => { onPick(n); ui.edited(); },
  }, String(n)));
  return el("div", { class: "mb-3" }, el("div", { class: "form-label small fw-semibold mb-1" }, label),
    el("div", { class: "btn-group", role: "group", "aria-label": label }, buttons));
}

function checkbox(ui, label, owner, key, testid) {
  const id = `fd-${testid}`;
  const input = el("input", { id, type: "checkbox", class: "form-check-input", "data-testid": testid });
  input.checked = Boolean(owner[key]);
  input.addEventListener("change", () => { owner[key] = input.checked; ui.edited(); });
  return el("div", { class: "form-check mb-3" }, input, el("label", { class: "form-check-label small", for: id }, label));
}

function condition(ui, label, owner, key, testid) {
  return conditionInput({
    app: ui.app, entity: ui.model.extra.entity, label, value: owner[key], text: ui.text, testid,
    onChange: (value) => { owner[key] = value; ui.edited({ keepProps: true }); },
  });
}

/** Where a field can go without dragging (phones, keyboards): every section and tab by name. */
function moveTo(ui, ref) {
  const here = ui.model.containerOf(ref);
  const containers = ui.model.containers();
  const select = el("select", { id: "fd-move-to", class: "form-select form-select-sm", "data-testid": "move-to" },
    containers.map((block, index) => el("option", { value: index, selected: block === here },
      localize(isTab(block) ? block.tab : block.section, "") || ui.text.untitled)));
  select.addEventListener("change", () => {
    ui.model.placeField(ref.field, containers[Number(select.value)]);
    ui.edited();
  });
  const index = here.fields.indexOf(ref);
  // placeField counts the target index before taking the field out, hence +2 to go one later.
  const step = (symbol, label, at, disabled, testid) => el("button", { type: "button", class: "btn btn-sm btn-outline-secondary",
    disabled, title: label, "aria-label": label, "data-testid": testid, onclick: () => { ui.model.placeField(ref.field, here, at); ui.edited(); } }, symbol);
  return group(ui.text.move_to, el("div", { class: "d-flex gap-2" }, select,
    step("↑", ui.text.move_earlier, index - 1, index === 0, "move-earlier"),
    step("↓", ui.text.move_later, index + 2, index === here.fields.length - 1, "move-later")), "fd-move-to");
}

function fieldPanel(ui, ref) {
  const field = ui.model.fields.get(ref.field);
  const columns = ui.model.containerOf(ref)?.columns || 1;
  return [
    el("h2", { class: "h6 mb-0 text-truncate" }, localize(field?.label, ref.field)),
    el("div", { class: "small text-body-secondary font-monospace mb-3" }, `${ref.field} · ${field?.type || "?"}`),
    ...labelInputs(ui, ref, "label", field?.label || {}, "field-label"),
    choice(ui, ui.text.span, Math.min(ref.span || 1, columns), [1, 2, 3, 4].filter((n) => n <= columns),
      (n) => { ref.span = n; }, "span"),
    checkbox(ui, ui.text.read_only, ref, "read_only", "read-only"),
    condition(ui, ui.text.visible_when, ref, "visible_when", "field-visible-when"),
    condition(ui, ui.text.required_when, ref, "required_when", "field-required-when"),
    moveTo(ui, ref),
    el("button", { type: "button", class: "btn btn-sm btn-outline-danger", "data-testid": "remove-field",
      onclick: () => { ui.model.unplaceField(ref.field); ui.select(null); ui.edited(); } }, ui.text.remove_field),
  ];
}

function blockPanel(ui, block) {
  const key = isTab(block) ? "tab" : "section";
  return [
    el("h2", { class: "h6 mb-3" }, isTab(block) ? ui.text.tab : ui.text.section),
    ...labelInputs(ui, block, key, {}, "block-label"),
    choice(ui, ui.text.columns, block.columns || 1, [1, 2, 3, 4], (n) => { block.columns = n; }, "columns"),
    isTab(block) ? null : checkbox(ui, ui.text.collapsed, block, "collapsed", "collapsed"),
    condition(ui, ui.text.visible_when, block, "visible_when", "block-visible-when"),
    el("button", { type: "button", class: "btn btn-sm btn-outline-danger", "data-testid": "delete-block",
      onclick: () => { ui.model.removeBlock(block); ui.select(null); ui.edited(); } },
    isTab(block) ? ui.text.delete_tab : ui.text.delete_section),
  ];
}

export function renderProps(root, ui) {
  const selected = ui.selected;
  if (!selected) {
    root.replaceChildren(el("p", { class: "small text-body-secondary mb-0" }, ui.text.select_hint));
  } else {
    root.replaceChildren(...("field" in selected ? fieldPanel(ui, selected) : blockPanel(ui, selected)).filter(Boolean));
  }
}
