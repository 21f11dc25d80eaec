// The choices of a select / multiselect field: value, English and Chinese labels, a colour;
// add, remove, and reorder with the arrow buttons or by dragging a row.

import { t } from "../i18n.js";
import { el } from "./dom.js";
import { setProp } from "./schema-form.js";

const VALUE = /^[^\s].{0,63}$/;
const NO_COLOUR = "#e2e8f0"; // what a colour input shows for an option without one (it cannot be empty)
const PALETTE = ["#2f5bea", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#64748b"];

/** `onChange()` after every edit; the editor redraws its own rows. */
export function optionsEditor(field, onChange) {
  field.options ||= [];
  const list = el("ol", { class: "list-unstyled mb-2 ed-options", dataset: { testid: "options" } });
  let dragged = null;

  const move = (from, to) => {
    if (to < 0 || to >= field.options.length || from === to) return;
    field.options.splice(to, 0, ...field.options.splice(from, 1));
    draw();
    onChange();
  };

  const row = (option, index) => {
    const value = el("input", { class: "form-control form-control-sm font-monospace", value: option.value || "",
      "aria-label": t("Stored value"), placeholder: t("value"), maxLength: 64, dataset: { testid: "option-value" } });
    value.addEventListener("input", () => {
      option.value = value.value.trim();
      const duplicate = field.options.filter((o) => o.value === option.value).length > 1;
      value.classList.toggle("is-invalid", !VALUE.test(option.value) || duplicate);
      onChange();
    });
    const label = (lang, caption) => {
      const input = el("input", { class: "form-control form-control-sm", value: labelText(option, lang),
        "aria-label": caption, placeholder: caption, maxLength: 200, dataset: { testid: `option-label-${lang}` } });
      input.addEventListener("input", () => { setLabel(option, lang, input.value.trim()); onChange(); });
      return input;
    };
    const color = el("input", { type: "color", class: "form-control form-control-sm form-control-color",
      value: option.color || NO_COLOUR, "aria-label": t("Colour"), title: option.color ? t("Colour") : t("No colour yet: pick one") });
    color.addEventListener("input", () => { option.color = color.value; onChange(); });
    const button = (glyph, title, handler, disabled = false) =>
      el("button", { type: "button", class: "btn btn-sm ed-icon-btn", title, "aria-label": title, disabled, text: glyph, onclick: handler });
    // Only the handle drags: a draggable row would turn selecting text in its inputs into a drag.
    const handle = el("span", { class: "ed-handle", draggable: "true", "aria-hidden": "true", text: "⠿" });
    const item = el("li", { class: "ed-option", dataset: { index: String(index) } }, [
      handle,
      el("div", { class: "ed-option-fields" }, [value, label("en", t("English")), label("zh", t("Chinese"))]),
      color,
      button("↑", t("Move up"), () => move(index, index - 1), index === 0),
      button("↓", t("Move down"), () => move(index, index + 1), index === field.options.length - 1),
      button("✕", t("Remove option"), () => { field.options.splice(index, 1); draw(); onChange(); }),
    ]);
    handle.addEventListener("dragstart", (event) => { dragged = index; event.dataTransfer.effectAllowed = "move"; event.dataTransfer.setData("text/plain", ""); event.stopPropagation(); });
    handle.addEventListener("dragend", () => { dragged = null; });
    item.addEventListener("dragover", (event) => { if (dragged !== null) event.preventDefault(); });
    item.addEventListener("drop", (event) => { event.preventDefault(); if (dragged !== null) move(dragged, index); dragged = null; });
    return item;
  };

  const draw = () => {
    const fragment = document.createDocumentFragment();
    field.options.forEach((option, index) => fragment.append(row(option, index)));
    if (!field.options.length) fragment.append(el("li", { class: "small text-danger", text: t("Add at least one choice.") }));
    list.replaceChildren(fragment);
  };

  const add = el("button", { type: "button", class: "btn btn-sm btn-outline-primary", dataset: { testid: "add-option" },
    text: `+ ${t("Add choice")}`, onclick: () => {
      const n = field.options.length + 1;
      field.options.push({ value: uniqueValue(field.options, n), label: { en: t("Option {n}", { n }) }, color: PALETTE[(n - 1) % PALETTE.length] });
      draw();
      onChange();
      list.lastElementChild.querySelector("input").select();
    } });
  draw();
  return el("div", { class: "mb-3", dataset: { prop: "options" } }, [el("div", { class: "form-label small mb-1", text: t("Choices") }), list, add]);
}

function uniqueValue(options, n) {
  const taken = new Set(options.map((o) => o.value));
  while (taken.has(`option_${n}`)) n += 1;
  return `option_${n}`;
}

function labelText(option, lang) {
  return typeof option.label === "string" ? (lang === "en" ? option.label : "") : option.label?.[lang] || "";
}

function setLabel(option, lang, text) {
  const label = typeof option.label === "string" ? { en: option.label } : { ...(option.label || {}) };
  label[lang] = text;
  const kept = Object.fromEntries(Object.entries(label).filter(([, value]) => value));
  setProp(option, "label", Object.keys(kept).length ? kept : undefined);
}
