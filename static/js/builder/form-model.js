/**
 * The form document being designed (runtime/metadata/schemas/form.schema.json) and the edits
 * the designer makes to it. Blocks and field refs are edited in place as plain objects, so the
 * canvas, the properties panel and problem markers can all hold on to the same object while it
 * moves; ``toDocument()`` gives back the compact JSON the schema wants.
 */

const isTab = (block) => "tab" in block;

/** Field refs as objects while editing ("name" -> {field: "name"}). */
function normalize(block) {
  block.fields = (block.fields || []).map((ref) => (typeof ref === "string" ? { field: ref } : ref));
  if (isTab(block)) block.sections = (block.sections || []).map(normalize);
  return block;
}

const blank = (value) => value === undefined || value === null || value === "" || value === false;

/** Drop empty settings, so a saved form holds only what the admin chose. */
function compactLabel(label) {
  if (label && typeof label === "object") {
    const kept = Object.fromEntries(Object.entries(label).filter(([, text]) => text));
    return Object.keys(kept).length ? kept : undefined;
  }
  return label || undefined;
}

function compactRef(ref) {
  const out = {};
  for (const [key, value] of Object.entries(ref)) {
    const kept = key === "label" ? compactLabel(value) : value;
    if (!blank(kept) && !(key === "span" && kept === 1)) out[key] = kept;
  }
  return Object.keys(out).length === 1 ? out.field : out;
}

function compactBlock(block) {
  // A tab must be named (the server says so if it is not); a section may go without a heading.
  const label = compactLabel(isTab(block) ? block.tab : block.section);
  const out = isTab(block) ? { tab: label ?? "" } : label ? { section: label } : {};
  for (const name of ["columns", "collapsed", "visible_when"]) {
    if (!blank(block[name])) out[name] = block[name];
  }
  // A tab needs fields or sections; a section always has its (maybe empty) list.
  if (!isTab(block) || block.fields.length || !block.sections.length) out.fields = block.fields.map(compactRef);
  if (isTab(block) && block.sections.length) out.sections = block.sections.map(compactBlock);
  return out;
}

export class FormModel {
  constructor(document, fields) {
    this.fields = new Map(fields.map((field) => [field.name, field]));
    this.load(document);
  }

  load(document) {
    const copy = structuredClone(document);
    this.extra = Object.fromEntries(Object.entries(copy).filter(([key]) => key !== "layout"));
    this.layout = (copy.layout || []).map(normalize);
  }

  toDocument() {
    return { ...this.extra, layout: this.layout.map(compactBlock) };
  }

  /** Every block that holds fields, in reading order: top-level blocks and the sections of tabs. */
  containers() {
    return this.layout.flatMap((block) => (isTab(block) ? [block, ...block.sections] : [block]));
  }

  placedNames() {
    return new Set(this.containers().flatMap((block) => block.fields.map((ref) => ref.field)));
  }

  /** Fields the form does not place yet; hidden fields never show in forms, so they are left out. */
  unplaced() {
    const placed = this.placedNames();
    return [...this.fields.values()].filter((field) => !field.hidden && !placed.has(field.name));
  }

  containerOf(ref) {
    return this.containers().find((block) => block.fields.includes(ref)) || null;
  }

  /** The list a block lives in (the layout, or its tab's sections). */
  siblingsOf(block) {
    if (this.layout.includes(block)) return this.layout;
    return this.layout.find((tab) => isTab(tab) && tab.sections.includes(block))?.sections || null;
  }

  /** Place ``name`` in ``container`` before index ``at`` (end when omitted); a placed field keeps
   * its settings as it moves. Returns its ref. */
  placeField(name, container, at = container.fields.length) {
    let ref = { field: name };
    const from = this.containers().find((block) => block.fields.some((r) => r.field === name));
    if (from) {
      const index = from.fields.findIndex((r) => r.field === name);
      [ref] = from.fields.splice(index, 1);
      if (from === container && index < at) at -= 1;
    }
    container.fields.splice(Math.max(0, Math.min(at, container.fields.length)), 0, ref);
    return ref;
  }

  unplaceField(name) {
    for (const block of this.containers()) block.fields = block.fields.filter((ref) => ref.field !== name);
  }

  addSection(label, tab = null) {
    const section = { section: label, columns: 2, fields: [] };
    (tab ? tab.sections : this.layout).push(section);
    return section;
  }

  addTab(label) {
    const tab = { tab: label, fields: [], sections: [] };
    this.layout.push(tab);
    return tab;
  }

  /** Remove a block; its fields go back to the unplaced list. */
  removeBlock(block) {
    const siblings = this.siblingsOf(block);
    if (siblings) siblings.splice(siblings.indexOf(block), 1);
  }

  /** Move a block by ``delta`` places among its siblings; false at either end. */
  shiftBlock(block, delta) {
    const siblings = this.siblingsOf(block);
    const index = siblings.indexOf(block);
    const target = index + delta;
    if (target < 0 || target >= siblings.length) return false;
    siblings.splice(index, 1);
    siblings.splice(target, 0, block);
    return true;
  }

  /** Move ``block`` just before ``other`` when both share a list (drag and drop of headers). */
  moveBlockBefore(block, other) {
    const siblings = this.siblingsOf(block);
    if (block === other || siblings !== this.siblingsOf(other)) return false;
    siblings.splice(siblings.indexOf(block), 1);
    siblings.splice(siblings.indexOf(other), 0, block);
    return true;
  }

  /** The block or field ref a server problem points at (``/layout/1/sections/0/fields/2/...``). */
  resolve(pointer) {
    const parts = pointer.split("/").slice(1);
    if (parts[0] !== "layout") return null;
    let found = null;
    let list = this.layout;
    for (let i = 1; i < parts.length; i += 2) {
      const item = list?.[Number(parts[i])];
      if (!item) break;
      found = item;
      list = parts[i + 1] === "sections" || parts[i + 1] === "fields" ? item[parts[i + 1]] : null;
    }
    return found;
  }
}

export { isTab };
