/**
 * The designer's palette (fields not placed yet) and canvas (sections and tabs with their field
 * grids). Fields are dragged between the palette and any grid; block headers are dragged to
 * reorder blocks among their siblings. Arrow buttons do the same without a mouse.
 *
 * ``ui`` carries the shared state: ``{model, text, selected, problems: Map(object -> [message]),
 * select(object), edited()}``; every edit calls ``ui.edited()``, which redraws.
 */

import { el, localize } from "./form-api.js";
import { isTab } from "./form-model.js";

// What is being dragged. dataTransfer cannot be read during dragover, so it is kept here.
let dragging = null;

function startDrag(event, payload) {
  dragging = payload;
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", payload.name || "block");
  event.stopPropagation();
}

/** Make ``target`` accept what ``accepts(dragging)`` allows; ``drop(payload, event)`` does the move. */
function dropZone(target, accepts, drop) {
  target.addEventListener("dragover", (event) => {
    if (!dragging || !accepts(dragging)) return;
    event.preventDefault();
    event.stopPropagation();
    target.classList.add("fd-over");
  });
  target.addEventListener("dragleave", () => target.classList.remove("fd-over"));
  target.addEventListener("drop", (event) => {
    target.classList.remove("fd-over");
    if (!dragging || !accepts(dragging)) return;
    event.preventDefault();
    event.stopPropagation();
    const payload = dragging;
    dragging = null;
    drop(payload, event);
  });
}

document.addEventListener("dragend", () => {
  dragging = null;
});

const fieldLabel = (ui, name) => localize(ui.model.fields.get(name)?.label, name);

function problemNote(ui, object) {
  const messages = ui.problems.get(object);
  if (!messages?.length) return null;
  return el("ul", { class: "fd-problems small text-danger mb-0 ps-3", "data-testid": "block-problem" },
    messages.map((message) => el("li", {}, message)));
}

function paletteItem(ui, field) {
  return el("li", {
    class: "fd-chip", draggable: "true", "data-field": field.name, "data-testid": `palette-${field.name}`,
    ondragstart: (event) => startDrag(event, { kind: "field", name: field.name }),
  }, el("span", { class: "fd-grip", "aria-hidden": "true" }, "⠿"),
  el("span", { class: "text-truncate" }, localize(field.label, field.name)),
  el("span", { class: "fd-type ms-auto" }, field.type));
}

export function renderPalette(root, ui) {
  const fields = ui.model.unplaced();
  const list = el("ul", { class: "list-unstyled mb-0 fd-palette-list", "data-testid": "palette" },
    fields.length ? fields.map((field) => paletteItem(ui, field))
      : el("li", { class: "small text-body-secondary px-1" }, ui.text.all_placed));
  root.replaceChildren(list);
}

/** Dropping a placed field back on the palette takes it off the form (bound once per page). */
export function paletteTakesBack(root, ui) {
  dropZone(root, (payload) => payload.kind === "field" && ui.model.placedNames().has(payload.name), (payload) => {
    ui.model.unplaceField(payload.name);
    if (ui.selected?.field === payload.name) ui.select(null);
    ui.edited();
  });
}

function fieldCard(ui, ref, container) {
  const field = ui.model.fields.get(ref.field);
  const span = Math.min(ref.span || 1, container.columns || 1);
  const badges = [ref.visible_when && ui.text.badge_visible, ref.required_when && ui.text.badge_required,
    ref.read_only && ui.text.badge_read_only].filter(Boolean);
  const card = el("div", {
    class: `fd-field fd-span-${span}${ui.selected === ref ? " fd-selected" : ""}${field ? "" : " fd-missing"}`,
    draggable: "true", tabindex: "0", role: "button", "data-field": ref.field, "data-testid": `field-${ref.field}`,
    ondragstart: (event) => startDrag(event, { kind: "field", name: ref.field }),
    onclick: (event) => { event.stopPropagation(); ui.select(ref); },
    onkeydown: (event) => { if (event.key === "Enter") ui.select(ref); },
  }, el("span", { class: "fd-grip", "aria-hidden": "true" }, "⠿"),
  el("span", { class: "fd-field-text min-w-0" },
    el("span", { class: "d-block text-truncate fw-medium" }, localize(ref.label, "") || fieldLabel(ui, ref.field)),
    el("span", { class: "d-block small text-body-secondary text-truncate" },
      field ? `${ref.field} · ${field.type}` : ui.text.unknown_field)),
  badges.map((badge) => el("span", { class: "badge text-bg-light border fd-badge" }, badge)),
  problemNote(ui, ref));
  return card;
}

/** A grid of fields in ``container.columns`` columns; dropping before a card inserts there. */
function fieldGrid(ui, container) {
  const grid = el("div", { class: `fd-grid fd-cols-${container.columns || 1}`, "data-testid": "drop-grid" },
    container.fields.map((ref) => fieldCard(ui, ref, container)));
  if (!container.fields.length) grid.append(el("div", { class: "fd-empty small text-body-secondary" }, ui.text.drop_here));
  dropZone(grid, (payload) => payload.kind === "field", (payload, event) => {
    const before = event.target.closest?.(".fd-field");
    const at = before ? container.fields.findIndex((ref) => ref.field === before.dataset.field) : undefined;
    ui.select(ui.model.placeField(payload.name, container, at === -1 ? undefined : at));
    ui.edited();
  });
  return grid;
}

function iconButton(label, symbol, onclick, disabled = false) {
  return el("button", { type: "button", class: "btn btn-sm btn-link text-body-secondary fd-icon", title: label,
    "aria-label": label, disabled, onclick: (event) => { event.stopPropagation(); onclick(); } }, symbol);
}

function blockHeader(ui, block, siblings) {
  const key = isTab(block) ? "tab" : "section";
  const index = siblings.indexOf(block);
  const shift = (delta) => { ui.model.shiftBlock(block, delta); ui.edited(); };
  const header = el("div", {
    class: "fd-block-head", draggable: "true", tabindex: "0",
    ondragstart: (event) => startDrag(event, { kind: "block", block }),
    onclick: () => ui.select(block),
    onkeydown: (event) => { if (event.key === "Enter" && event.target === event.currentTarget) ui.select(block); },
  }, el("span", { class: "fd-grip", "aria-hidden": "true" }, "⠿"),
  el("span", { class: "badge fd-kind" }, isTab(block) ? ui.text.tab : ui.text.section),
  el("span", { class: "fw-semibold text-truncate me-auto", "data-testid": "block-label" },
    localize(block[key], "") || ui.text.untitled),
  el("span", { class: "small text-body-secondary text-nowrap" }, ui.text.n_columns.replace("{n}", block.columns || 1)),
  block.visible_when && el("span", { class: "badge text-bg-light border fd-badge" }, ui.text.badge_visible),
  iconButton(ui.text.move_up, "↑", () => shift(-1), index === 0),
  iconButton(ui.text.move_down, "↓", () => shift(1), index === siblings.length - 1),
  iconButton(ui.text.delete, "✕", () => { ui.model.removeBlock(block); ui.select(null); ui.edited(); }));
  dropZone(header, (payload) => payload.kind === "block" && ui.model.siblingsOf(payload.block) === siblings,
    (payload) => { if (ui.model.moveBlockBefore(payload.block, block)) ui.edited(); });
  return header;
}

function blockCard(ui, block, siblings) {
  const card = el("section", {
    class: `fd-block card${isTab(block) ? " fd-tab" : ""}${ui.selected === block ? " fd-selected" : ""}`,
    "data-testid": "canvas-block",
  }, blockHeader(ui, block, siblings), problemNote(ui, block));
  const body = el("div", { class: "fd-block-body" }, fieldGrid(ui, block));
  if (isTab(block)) {
    body.append(...block.sections.map((section) => blockCard(ui, section, block.sections)),
      el("button", { type: "button", class: "btn btn-sm btn-outline-secondary mt-2", "data-testid": "add-tab-section",
        onclick: () => { ui.select(ui.model.addSection(ui.text.new_section, block)); ui.edited(); } },
      `+ ${ui.text.add_section}`));
  }
  card.append(body);
  return card;
}

export function renderCanvas(root, ui) {
  const blocks = ui.model.layout.map((block) => blockCard(ui, block, ui.model.layout));
  if (!blocks.length) blocks.push(el("p", { class: "text-body-secondary small" }, ui.text.empty_form));
  root.replaceChildren(...blocks);
}
