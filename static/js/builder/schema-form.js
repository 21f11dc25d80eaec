// Controls generated from a field type's options JSON Schema (the same schema the server
// validates with), plus the bilingual label inputs every editor uses. Each control writes
// straight into the document object it edits and reports the change.

import { t } from "../i18n.js";
import { el, labelled } from "./dom.js";

/** Props with a purpose-built editor (type and convert too) or no place in the panel (renames are automatic). */
export const COMMON_PROPS = new Set(["name", "type", "label", "description", "help", "required", "unique",
  "index", "read_only", "hidden", "renamed_from", "convert", "default"]);

const PROP_LABELS = {
  max_length: "Maximum length", min_length: "Minimum length", precision: "Decimal places", min: "Minimum",
  max: "Maximum", currency: "Currency code (e.g. CNY)", format: "Format (e.g. INV-{#####})", max_size_mb: "Largest file (MB)",
  accept: "Accepted file types (comma separated)", multiple: "Several files", min_rows: "Minimum rows",
  on_delete: "When the linked record is deleted", result: "Result type", function: "Function",
  sensitive: "Sensitive (encrypted; masked unless a role reveals it)",
};

export const propLabel = (key) => t(PROP_LABELS[key] || key.replace(/_/g, " "));

/** Store `value` under `key`, or drop the key for an empty value so documents stay minimal. */
export function setProp(object, key, value) {
  if (value === "" || value === undefined || value === null || (Array.isArray(value) && !value.length)) delete object[key];
  else object[key] = value;
}

/** English and Chinese inputs for a label map; a plain-string label becomes the English text. */
export function labelInputs(object, key, title, onChange, { testid = key } = {}) {
  const current = typeof object[key] === "string" ? { en: object[key] } : { ...(object[key] || {}) };
  const input = (lang, caption) => {
    const box = el("input", { class: "form-control form-control-sm", value: current[lang] || "", maxLength: 200,
      dataset: { testid: `${testid}-${lang}` }, "aria-label": `${title} (${caption})`, placeholder: caption });
    box.addEventListener("input", () => {
      current[lang] = box.value.trim();
      const kept = Object.fromEntries(Object.entries(current).filter(([, text]) => text));
      setProp(object, key, Object.keys(kept).length ? kept : undefined);
      onChange();
    });
    return el("div", { class: "col" }, [box]);
  };
  return el("div", { class: "mb-2", dataset: { prop: key } }, [
    el("div", { class: "form-label small mb-1", text: title }),
    el("div", { class: "row g-1" }, [input("en", t("English")), input("zh", t("Chinese"))]),
  ]);
}

/** A select of `choices` ([value, text]) with an optional blank first entry. */
export function selectControl(current, choices, { blank = null, testid = null } = {}) {
  const select = el("select", { class: "form-select form-select-sm", dataset: testid ? { testid } : {} });
  if (blank !== null) select.append(el("option", { value: "", text: blank }));
  for (const [value, text] of choices) select.append(el("option", { value, text, selected: value === current }));
  if (current && !choices.some(([value]) => value === current)) select.append(el("option", { value: current, text: current, selected: true }));
  return select;
}

/** A control for `object[key]` chosen by its schema: checkbox, number, select of an enum, or text. */
export function schemaControl(object, key, schema, onChange) {
  const kinds = [].concat(schema.type || []);
  let control;
  let read;
  if (schema.enum) {
    control = selectControl(object[key] ?? "", schema.enum.map((v) => [String(v), String(v)]), { blank: "—" });
    read = () => control.value;
  } else if (kinds.includes("boolean")) {
    control = el("input", { type: "checkbox", checked: object[key] === true });
    read = () => control.checked || undefined;
  } else if (kinds.includes("integer") || (kinds.includes("number") && !kinds.includes("string"))) {
    control = el("input", { type: "number", class: "form-control form-control-sm", value: object[key] ?? "",
      min: schema.minimum, max: schema.maximum, step: kinds.includes("integer") ? "1" : "any" });
    read = () => (control.value === "" || Number.isNaN(control.valueAsNumber) ? undefined : control.valueAsNumber);
  } else if (kinds.includes("array")) {
    control = el("input", { class: "form-control form-control-sm", value: (object[key] || []).join(", ") });
    read = () => control.value.split(",").map((s) => s.trim()).filter(Boolean);
  } else {
    control = el("input", { class: "form-control form-control-sm", value: object[key] ?? "", maxLength: schema.maxLength });
    read = () => control.value.trim();
  }
  control.dataset.prop = key;
  control.dataset.testid = `prop-${key}`;
  control.addEventListener(control.tagName === "SELECT" || control.type === "checkbox" ? "change" : "input", () => {
    const value = read();
    const bad = schema.pattern && typeof value === "string" && value && !new RegExp(schema.pattern).test(value);
    control.classList.toggle("is-invalid", Boolean(bad));
    setProp(object, key, value);
    onChange();
  });
  return labelled(propLabel(key), control);
}

/** The default-value control, shaped by the type's `default` schema; null when the type has none. */
export function defaultControl(field, schema, onChange) {
  if (!schema || schema.not) return null;
  if (field.type === "select" || field.type === "multiselect") {
    const values = (field.options || []).map((o) => [o.value, o.value]);
    const multi = field.type === "multiselect";
    const control = selectControl(multi ? "" : field.default ?? "", values, { blank: t("No default"), testid: "prop-default" });
    if (multi) {
      control.multiple = true;
      for (const option of control.options) option.selected = (field.default || []).includes(option.value);
    }
    control.addEventListener("change", () => {
      setProp(field, "default", multi ? [...control.selectedOptions].map((o) => o.value).filter(Boolean) : control.value);
      onChange();
    });
    return labelled(t("Default value"), control);
  }
  const kinds = [].concat(schema.type || []);
  if (kinds.includes("boolean")) {
    const control = selectControl(field.default === undefined ? "" : String(field.default),
      [["true", t("Yes")], ["false", t("No")]], { blank: t("No default"), testid: "prop-default" });
    control.addEventListener("change", () => { setProp(field, "default", control.value === "" ? undefined : control.value === "true"); onChange(); });
    return labelled(t("Default value"), control);
  }
  const hint = { date: "YYYY-MM-DD or $today", datetime: "$now", user: "$me" }[field.type] || "";
  const control = el("input", { class: "form-control form-control-sm", value: field.default ?? "", placeholder: hint,
    dataset: { testid: "prop-default", prop: "default" } });
  control.addEventListener("input", () => {
    const text = control.value.trim();
    const asInteger = kinds.includes("integer") && !kinds.includes("string") && /^-?\d+$/.test(text);
    setProp(field, "default", asInteger ? Number(text) : text);
    onChange();
  });
  return labelled(t("Default value"), control);
}
