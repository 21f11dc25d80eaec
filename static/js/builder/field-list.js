// The field list: one row per field in form order. Drag a row (or a palette type) to a place;
// the move up/down buttons and Alt+Arrow keys do the same without a mouse. Rows are built once
// into a DocumentFragment and events are delegated, so 200 fields cost one layout.

import { t } from "../i18n.js";
import { el, localize } from "./dom.js";
import { typeGlyph, typeLabel } from "./palette.js";

const FIELD_MIME = "application/x-metacrm-field";
const TYPE_MIME = "application/x-metacrm-type";

export class FieldList {
  /** `host` supplies fields(), problemsOf(field), isTitle(field) and the on* callbacks. */
  constructor(root, host) {
    this.root = root;
    this.host = host;
    this.rows = new Map();
    this.selected = null;
    root.addEventListener("click", (event) => this.#click(event));
    root.addEventListener("keydown", (event) => this.#key(event));
    root.addEventListener("dragstart", (event) => this.#dragStart(event));
    root.addEventListener("dragover", (event) => this.#dragOver(event));
    root.addEventListener("dragleave", (event) => { if (!root.contains(event.relatedTarget)) this.#clearMarker(); });
    root.addEventListener("drop", (event) => this.#drop(event));
    root.addEventListener("dragend", () => { this.#clearMarker(); root.querySelector(".dragging")?.classList.remove("dragging"); });
  }

  render() {
    const fields = this.host.fields();
    const fragment = document.createDocumentFragment();
    this.rows.clear();
    fields.forEach((field, index) => fragment.append(this.#row(field, index, fields.length)));
    if (!fields.length) fragment.append(el("li", { class: "ed-empty", text: t("No fields yet: pick a type on the left.") }));
    this.root.replaceChildren(fragment);
  }

  /** Redraw one row after its properties changed (cheaper than the whole list). */
  update(field) {
    const old = this.rows.get(field);
    if (!old) return;
    const fields = this.host.fields();
    old.replaceWith(this.#row(field, fields.indexOf(field), fields.length));
  }

  select(field) {
    this.rows.get(this.selected)?.classList.remove("active");
    this.rows.get(this.selected)?.setAttribute("aria-current", "false");
    this.selected = field;
    const row = this.rows.get(field);
    row?.classList.add("active");
    row?.setAttribute("aria-current", "true");
    return row;
  }

  focus(field) {
    this.rows.get(field)?.querySelector("[data-select]")?.focus();
  }

  #row(field, index, count) {
    const problems = this.host.problemsOf(field);
    const label = localize(field.label, "");
    const main = el("button", { type: "button", class: "ed-field-main", dataset: { select: "" } }, [
      el("span", { class: "ed-field-label text-truncate", text: label || field.name || t("(no name)") }),
      el("span", { class: "ed-field-name font-monospace text-truncate", text: field.name || "" }),
    ]);
    const badges = [
      field.required ? el("span", { class: "ed-badge ed-badge-req", title: t("Required"), text: "*" }) : null,
      this.host.isTitle(field) ? el("span", { class: "ed-badge", text: t("Title") }) : null,
      problems.length ? el("span", { class: "ed-badge ed-badge-problem", dataset: { testid: "field-problem" },
        title: problems.map((p) => p.message).join("\n"), text: `⚠ ${problems.length}` }) : null,
    ];
    const row = el("li", {
      class: `ed-field${field === this.selected ? " active" : ""}${problems.length ? " has-problem" : ""}`,
      draggable: "true", dataset: { index: String(index), name: field.name || "", testid: "field-row" },
    }, [
      el("span", { class: "ed-handle", "aria-hidden": "true", text: "⠿" }), typeGlyph(field.type), main, ...badges,
      el("span", { class: "ed-field-type", text: typeLabel(field.type) }),
      el("span", { class: "ed-field-actions" }, [
        this.#action("up", "↑", t("Move up"), index === 0),
        this.#action("down", "↓", t("Move down"), index === count - 1),
        this.#action("delete", "✕", t("Delete field")),
      ]),
    ]);
    this.rows.set(field, row);
    return row;
  }

  #action(name, glyph, title, disabled = false) {
    return el("button", { type: "button", class: `btn btn-sm ed-icon-btn ed-${name}`, title, "aria-label": title,
      disabled, dataset: { action: name }, text: glyph });
  }

  #fieldAt(node) {
    const row = node.closest?.("[data-index]");
    return row ? this.host.fields()[Number(row.dataset.index)] : null;
  }

  #click(event) {
    const field = this.#fieldAt(event.target);
    if (!field) return;
    const action = event.target.closest("[data-action]")?.dataset.action;
    const index = this.host.fields().indexOf(field);
    if (action === "up" || action === "down") this.host.onMove(index, index + (action === "up" ? -1 : 1), true);
    else if (action === "delete") this.host.onDelete(field);
    else this.host.onSelect(field);
  }

  #key(event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    const field = this.#fieldAt(event.target);
    if (!field) return;
    event.preventDefault();
    const index = this.host.fields().indexOf(field);
    this.host.onMove(index, index + (event.key === "ArrowUp" ? -1 : 1), true);
  }

  #dragStart(event) {
    const row = event.target.closest?.("[data-index]");
    if (!row) return;
    event.dataTransfer.setData(FIELD_MIME, row.dataset.index);
    event.dataTransfer.effectAllowed = "move";
    row.classList.add("dragging");
  }

  /** The index a drop at `y` would insert at: before the first row whose middle is below it. */
  #dropIndex(y) {
    const rows = [...this.root.querySelectorAll("[data-index]")];
    const found = rows.find((row) => {
      const box = row.getBoundingClientRect();
      return y < box.top + box.height / 2;
    });
    return found ? Number(found.dataset.index) : rows.length;
  }

  #dragOver(event) {
    const types = event.dataTransfer.types;
    if (!types.includes(FIELD_MIME) && !types.includes(TYPE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = types.includes(FIELD_MIME) ? "move" : "copy";
    const index = this.#dropIndex(event.clientY);
    this.#clearMarker();
    const row = this.root.querySelector(`[data-index="${index}"]`);
    if (row) row.classList.add("drop-before");
    else this.root.classList.add("drop-end");
  }

  #clearMarker() {
    this.root.querySelector(".drop-before")?.classList.remove("drop-before");
    this.root.classList.remove("drop-end");
  }

  #drop(event) {
    event.preventDefault();
    this.#clearMarker();
    this.root.querySelector(".dragging")?.classList.remove("dragging");
    const at = this.#dropIndex(event.clientY);
    const from = event.dataTransfer.getData(FIELD_MIME);
    const type = event.dataTransfer.getData(TYPE_MIME);
    if (from !== "") this.host.onMove(Number(from), Number(from) < at ? at - 1 : at, false);
    else if (type) this.host.onAdd(type, at);
  }
}
