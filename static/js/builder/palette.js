// The palette: every field type the server knows, grouped the way admins think of them.
// Click a type to append a field, or drag it to a place in the field list.

import { t } from "../i18n.js";
import { el } from "./dom.js";

/** Types in their groups; a type the server adds later lands in "More" rather than vanishing. */
const GROUPS = [
  ["Text", ["text", "textarea", "richtext", "email", "phone", "url"]],
  ["Numbers", ["integer", "decimal", "currency", "percent", "rating"]],
  ["Choice", ["select", "multiselect", "boolean"]],
  ["Dates", ["date", "datetime"]],
  ["References", ["link", "table", "user"]],
  ["Media", ["file", "image", "signature", "geo"]],
  ["Computed", ["formula", "rollup", "lookup", "autonumber"]],
];

export const TYPE_LABELS = {
  text: "Text", textarea: "Long text", richtext: "Rich text", email: "Email", phone: "Phone", url: "Web address",
  integer: "Whole number", decimal: "Decimal", currency: "Currency", percent: "Percent", rating: "Rating",
  select: "Single choice", multiselect: "Multiple choice", boolean: "Yes / no", date: "Date", datetime: "Date and time",
  link: "Link to record", table: "Child table", user: "User", file: "File", image: "Image", signature: "Signature",
  geo: "Location", formula: "Formula", rollup: "Rollup", lookup: "Lookup", autonumber: "Auto number",
};

const GLYPHS = {
  text: "Aa", textarea: "¶", richtext: "B", email: "@", phone: "☎", url: "↗", integer: "#", decimal: ".0",
  currency: "¤", percent: "%", rating: "★", select: "◉", multiselect: "☰", boolean: "✓", date: "▦", datetime: "◷",
  link: "⇢", table: "⊞", user: "☺", file: "▤", image: "▣", signature: "✎", geo: "◎", formula: "ƒ", rollup: "Σ",
  lookup: "⇠", autonumber: "№",
};

export const typeLabel = (name) => t(TYPE_LABELS[name] || name);

/** The group a type belongs to, for its colour in the palette and the field list. */
export function groupOf(name) {
  const found = GROUPS.find(([, names]) => names.includes(name));
  return found ? found[0].toLowerCase() : "more";
}

export function typeGlyph(name) {
  return el("span", { class: `ed-glyph ed-g-${groupOf(name)}`, "aria-hidden": "true", text: GLYPHS[name] || "?" });
}

/** Fill `root` with one button per type in `types` (the /api/fieldtypes list); `onAdd(type)` on click. */
export function renderPalette(root, types, onAdd) {
  const known = new Set(types.map((type) => type.name));
  const listed = new Set(GROUPS.flatMap(([, names]) => names));
  const groups = [...GROUPS, ["More", [...known].filter((name) => !listed.has(name))]];
  const fragment = document.createDocumentFragment();
  for (const [title, names] of groups) {
    const present = names.filter((name) => known.has(name));
    if (!present.length) continue;
    fragment.append(el("div", { class: "ed-palette-group", text: t(title) }));
    for (const name of present) fragment.append(paletteItem(name));
  }
  root.replaceChildren(fragment);
  root.addEventListener("click", (event) => {
    const item = event.target.closest("[data-type]");
    if (item) onAdd(item.dataset.type);
  });
  root.addEventListener("dragstart", (event) => {
    const item = event.target.closest("[data-type]");
    event.dataTransfer.setData("application/x-metacrm-type", item.dataset.type);
    event.dataTransfer.effectAllowed = "copy";
  });
}

function paletteItem(name) {
  return el("button", {
    type: "button", class: "ed-palette-item", draggable: "true",
    dataset: { type: name, testid: `palette-${name}` }, title: t("Add a {type} field", { type: typeLabel(name) }),
  }, [typeGlyph(name), el("span", { text: typeLabel(name) })]);
}
