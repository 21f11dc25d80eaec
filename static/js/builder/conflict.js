// The entity designer's view of a conflict: someone saved this entity after we loaded it. Both
// versions are drawn as readable field lists, differences marked, for the shared dialog
// (conflict-dialog.js) where the admin keeps theirs or mine.

import { t } from "../i18n.js";
import { chooseVersion } from "./conflict-dialog.js";
import { el, localize } from "./dom.js";
import { typeLabel } from "./palette.js";

const summary = (field) => JSON.stringify(field);

function versionList(doc, other) {
  if (!doc) return el("p", { class: "small text-body-secondary", text: t("(removed)") });
  const theirs = new Map((other?.fields || []).map((f) => [f.name, summary(f)]));
  const items = (doc.fields || []).map((field) => {
    const state = !theirs.has(field.name) ? "only" : theirs.get(field.name) !== summary(field) ? "changed" : "same";
    return el("li", { class: `list-group-item d-flex gap-2 ed-diff-${state}`, dataset: { testid: "conflict-field" } }, [
      el("span", { class: "fw-semibold text-truncate", text: localize(field.label, field.name) }),
      el("span", { class: "font-monospace small text-body-secondary", text: field.name }),
      el("span", { class: "ms-auto small", text: typeLabel(field.type) }),
      state === "same" ? null : el("span", { class: "badge text-bg-warning", text: state === "only" ? t("only here") : t("differs") }),
    ]);
  });
  return el("div", {}, [
    el("div", { class: "mb-2" }, [
      el("span", { text: `${t("Label")}: ${localize(doc.label, doc.name)} ` }),
      localize(doc.label, doc.name) === localize(other?.label, other?.name) ? null : el("span", { class: "badge text-bg-warning", text: t("differs") }),
    ]),
    el("ul", { class: "list-group list-group-flush small" }, items),
  ]);
}

/** Show both versions as field lists; resolves to "mine", "theirs" or null (closed without choosing). */
export function resolveConflict(root, theirs, yours) {
  return chooseVersion(root.querySelector("[data-conflict]"), versionList(theirs, yours), versionList(yours, theirs));
}
