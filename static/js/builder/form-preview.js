/**
 * The live preview: the layout drawn as runtime/web/templates/web/form.html draws it (sections
 * as cards first, then every tab in one tabbed card, fields the form leaves out in a "More"
 * section as runtime/web/screens/layout.py appends them), with its conditions run by the
 * runtime's own form-rules.js on trees the server builds, so the preview hides and shows
 * exactly what the real form will. At phone size the grid has one column, as below Bootstrap's md.
 */

import { bind } from "../form-rules.js";
import { el, localize, sendJSON } from "./form-api.js";
import { isTab } from "./form-model.js";

//: runtime/web/screens/forms.py INPUT_TYPES
const INPUT_TYPES = { email: "email", phone: "tel", url: "url", date: "date", datetime: "datetime-local",
  integer: "number", rating: "number" };
const DECIMALS = new Set(["decimal", "currency", "percent"]);
const WIDE = new Set(["table", "textarea", "richtext"]);

export class Preview {
  constructor(root, { app, entity, text, vars }) {
    Object.assign(this, { root, app, entity, text, vars });
    this.trees = new Map(); // expression -> tree | null, for this page's life
    this.values = {}; // what the admin chose in the preview, kept across redraws
    this.phone = false;
    this.drawn = 0;
  }

  /** Redraw from ``model``; trees the page has not seen yet are fetched first. */
  async render(model) {
    const ticket = ++this.drawn;
    const blocks = [...model.layout, ...this.moreBlocks(model)];
    const missing = [...new Set(blocks.flatMap(conditionsOf))].filter((source) => !this.trees.has(source));
    if (missing.length) {
      const { data } = await sendJSON("POST", `/builder/${this.app}/forms/${this.entity}/conditions`,
        { entity: this.entity, expressions: missing });
      for (const source of missing) this.trees.set(source, data?.trees?.[source] ?? null);
    }
    if (ticket !== this.drawn) return; // a newer redraw started while we waited
    this.model = model;
    const form = el("form", { class: "record-form fd-preview-form", "data-vars": JSON.stringify(this.vars),
      "data-testid": "preview-form", novalidate: true, onsubmit: (event) => event.preventDefault() },
    blocks.filter((block) => !isTab(block)).map((block) => this.section(block)),
    this.tabs(blocks.filter(isTab)));
    form.addEventListener("change", () => this.remember(form));
    this.root.replaceChildren(form);
    bind(form);
  }

  /** Unplaced, not hidden fields: the runtime appends them, so the preview does too. */
  moreBlocks(model) {
    const missing = model.unplaced();
    const plain = missing.filter((field) => field.type !== "table").map((field) => ({ field: field.name }));
    const more = plain.length ? [{ section: { en: "More", zh: "更多" }, columns: 2, fields: plain, more: true }] : [];
    return more.concat(missing.filter((field) => field.type === "table")
      .map((field) => ({ tab: field.label, fields: [{ field: field.name }], sections: [] })));
  }

  remember(form) {
    for (const input of form.elements) {
      if (input.name) this.values[input.name] = input.type === "checkbox" ? input.checked : input.value;
    }
  }

  rule(element, attribute, source) {
    const tree = source ? this.trees.get(source) : null;
    if (tree) element.setAttribute(attribute, JSON.stringify(tree));
  }

  grid(block) {
    const columns = this.phone ? "" : ` row-cols-md-${block.columns || 1}`;
    return el("div", { class: `row row-cols-1${columns} g-3` }, block.fields.map((ref) => this.slot(ref)));
  }

  section(block) {
    const card = el("section", { class: "card border-0 shadow-sm mb-3 form-section", "data-testid": "preview-section" },
      block.section ? el("div", { class: "card-header bg-transparent fw-semibold" }, localize(block.section)) : null,
      el("div", { class: "card-body" }, this.grid(block)));
    this.rule(card, "data-visible-when", block.visible_when);
    if (block.more) card.classList.add("fd-more");
    return card;
  }

  tabs(tabs) {
    if (!tabs.length) return null;
    const id = (i) => `fdp-tab-${this.drawn}-${i}`;
    const nav = el("ul", { class: "nav nav-tabs card-header-tabs flex-nowrap overflow-auto", role: "tablist" },
      tabs.map((tab, i) => el("li", { class: "nav-item", role: "presentation" },
        el("button", { class: `nav-link text-nowrap${i ? "" : " active"}`, type: "button", role: "tab",
          "data-bs-toggle": "tab", "data-bs-target": `#${id(i)}`, "aria-selected": String(!i) },
        localize(tab.tab)))));
    const panes = tabs.map((tab, i) => el("div", { class: `tab-pane fade${i ? "" : " show active"}`, id: id(i), role: "tabpanel" },
      this.grid(tab), tab.sections.map((section) => this.section(section))));
    return el("div", { class: "card border-0 shadow-sm mb-3" },
      el("div", { class: "card-header bg-transparent pb-0" }, nav), el("div", { class: "card-body tab-content" }, panes));
  }

  slot(ref) {
    const field = this.model.fields.get(ref.field);
    const wrapper = el("div", { class: `mc-field col${field && WIDE.has(field.type) ? " col-12 w-100" : ""}`, "data-field": ref.field });
    this.rule(wrapper, "data-visible-when", ref.visible_when);
    this.rule(wrapper, "data-required-when", ref.required_when);
    if (!field) return wrapper;
    const label = localize(ref.label, "") || localize(field.label, field.name);
    if (!field.input) {
      wrapper.append(el("div", { class: "form-label" }, label),
        el("div", { class: "form-control-plaintext computed-value" }, el("span", { class: "text-body-tertiary small" }, this.text.filled_on_save)));
    } else if (field.type === "table") {
      wrapper.append(el("div", { class: "d-flex align-items-center mb-2" },
        el("span", { class: "form-label mb-0 me-auto" }, label),
        el("button", { type: "button", class: "btn btn-sm btn-outline-primary", disabled: true }, `+ ${this.text.add_row}`)),
      el("div", { class: "child-rows" }));
    } else {
      const id = `fdp-${ref.field}`;
      wrapper.append(el("label", { class: "form-label", for: id }, label,
        el("span", { class: "mc-required text-danger", hidden: !field.required }, " *")), this.widget(field, id));
    }
    return wrapper;
  }

  widget(field, id) {
    const value = this.values[field.name] ?? field.default ?? "";
    if (field.type === "boolean") {
      const box = el("input", { id, name: field.name, type: "checkbox", class: "form-check-input", role: "switch" });
      box.checked = value === true;
      return el("div", { class: "form-check form-switch mt-1" }, box, el("label", { class: "form-check-label", for: id }, this.text.yes));
    }
    if (["select", "multiselect", "user"].includes(field.type)) {
      const many = field.type === "multiselect";
      const select = el("select", { id, name: field.name, class: "form-select", multiple: many,
        size: many ? Math.min(field.options.length, 6) : null, "data-testid": `preview-input-${field.name}` },
      many ? null : el("option", { value: "" }, "—"),
      field.options.map((option) => el("option", { value: option.value }, localize(option.label, option.value))));
      select.value = many ? "" : value;
      return select;
    }
    if (field.type === "textarea" || field.type === "richtext") {
      const area = el("textarea", { id, name: field.name, class: "form-control", rows: 3 });
      area.value = value;
      return area;
    }
    const input = el("input", { id, name: field.name, class: "form-control", type: INPUT_TYPES[field.type] || "text",
      inputmode: DECIMALS.has(field.type) ? "decimal" : null });
    input.value = value;
    return input;
  }
}

/** Every condition a block and its fields carry. */
function conditionsOf(block) {
  const own = [block.visible_when, ...block.fields.flatMap((ref) => [ref.visible_when, ref.required_when])];
  return own.concat(isTab(block) ? block.sections.flatMap(conditionsOf) : []).filter(Boolean);
}
