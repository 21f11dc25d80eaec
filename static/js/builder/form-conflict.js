/**
 * The conflict dialog of the form designer: another admin saved the form after this page loaded.
 * Both versions are drawn as outlines (blocks and their fields), blocks that differ marked, for
 * the shared dialog (conflict-dialog.js) where the admin keeps theirs or mine.
 */

import { chooseVersion } from "./conflict-dialog.js";
import { el, localize } from "./form-api.js";

const blockKey = (block) => JSON.stringify(block);
const refName = (ref) => (typeof ref === "string" ? ref : ref.field);

function outline(document, other, text) {
  if (!document) return el("p", { class: "small text-body-secondary" }, text.removed);
  const others = new Set((other?.layout || []).map(blockKey));
  return el("ol", { class: "list-unstyled mb-0 small" }, (document.layout || []).map((block) => {
    const tab = "tab" in block;
    const differs = !others.has(blockKey(block));
    const nested = tab ? (block.sections || []).map((section) => localize(section.section, text.untitled)) : [];
    return el("li", { class: `fd-conflict-block${differs ? " fd-differs" : ""}`, "data-testid": "conflict-block" },
      el("div", { class: "fw-semibold" }, `${tab ? text.tab : text.section}: ${localize(tab ? block.tab : block.section, text.untitled)}`,
        differs ? el("span", { class: "badge text-bg-warning ms-2" }, text.differs) : null),
      block.visible_when ? el("div", { class: "font-monospace text-body-secondary" }, `${text.visible_when}: ${block.visible_when}`) : null,
      el("div", { class: "text-body-secondary" }, [...(block.fields || []).map(refName), ...nested].join(", ") || "—"));
  }));
}

/** Show both versions as outlines; resolves to "mine", "theirs" or null (closed without choosing). */
export function showConflict(dialog, { theirs, yours, text }) {
  return chooseVersion(dialog, outline(theirs, yours, text), outline(yours, theirs, text));
}
