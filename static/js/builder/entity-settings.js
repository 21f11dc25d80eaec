// The entity's own settings, shown in the property pane when no field is selected: labels, the
// title field, and validation rules ("when this holds, refuse with this message"), whose
// conditions are checked live by the same formula endpoint as formula fields.

import { t } from "../i18n.js";
import { el, labelled, localize } from "./dom.js";
import { FormulaEditor } from "./formula-editor.js";
import { showProblems } from "./properties.js";
import { labelInputs, selectControl, setProp } from "./schema-form.js";

/** Types a record's title can be shown from (not computed, not a table, not media). */
const TITLE_TYPES = new Set(["text", "email", "phone", "url", "integer", "decimal", "select", "date", "autonumber", "formula", "user", "link"]);

/** `ctx`: doc, changedEntity(rerender), checkFormula(expression, sample), entityProblems. */
export function renderEntityPanel(panel, ctx) {
  const doc = ctx.doc;
  const changed = (rerender = false) => ctx.changedEntity(rerender);
  const titles = doc.fields.filter((f) => TITLE_TYPES.has(f.type) && f.name).map((f) => [f.name, `${localize(f.label, f.name)} (${f.name})`]);
  const title = selectControl(doc.title_field || "", titles, { blank: t("(the record number)"), testid: "title-field" });
  title.dataset.prop = "title_field";
  title.addEventListener("change", () => { setProp(doc, "title_field", title.value); changed(true); });
  const rules = el("ol", { class: "list-unstyled mb-2", dataset: { testid: "rules" } },
    (doc.rules || []).map((rule, index) => ruleRow(doc, rule, index, ctx, changed)));
  const add = el("button", { type: "button", class: "btn btn-sm btn-outline-primary", dataset: { testid: "add-rule" },
    text: `+ ${t("Add rule")}`, onclick: () => { (doc.rules ||= []).push({ when: "", message: { en: "" } }); changed(true); } });
  const body = el("div", { class: "ed-pane-body" }, [
    labelInputs(doc, "label", t("Label"), changed, { testid: "entity-label" }),
    labelInputs(doc, "label_plural", t("Plural label"), changed, { testid: "entity-label-plural" }),
    labelled(t("Title field (names a record in lists and links)"), title),
    el("fieldset", { class: "ed-section", dataset: { prop: "rules" } }, [
      el("legend", { class: "ed-section-title", text: t("Validation rules") }),
      el("p", { class: "small text-body-secondary mb-2", text: t("A record is refused with the message when its condition holds.") }),
      rules, add,
    ]),
  ]);
  panel.replaceChildren(el("div", { class: "ed-pane-head", text: t("Entity settings") }), body);
  showProblems(body, ctx.entityProblems);
}

function ruleRow(doc, rule, index, ctx, changed) {
  const editor = new FormulaEditor({
    value: rule.when || "", preview: false, testid: `rule-${index}`, placeholder: "amount < 0",
    check: (expression) => ctx.checkFormula(expression, null),
    onInput: (text) => { rule.when = text; changed(); },
  });
  const remove = el("button", { type: "button", class: "btn btn-sm ed-icon-btn", title: t("Remove rule"), "aria-label": t("Remove rule"),
    text: "✕", onclick: () => { doc.rules.splice(index, 1); if (!doc.rules.length) delete doc.rules; changed(true); } });
  return el("li", { class: "ed-rule", dataset: { prop: `rules/${index}` } }, [
    el("div", { class: "d-flex align-items-center mb-1" }, [
      el("span", { class: "small fw-semibold me-auto", text: t("Rule {n}: refuse when", { n: index + 1 }) }), remove]),
    editor.element,
    labelInputs(rule, "message", t("Message"), changed, { testid: `rule-${index}-message` }),
  ]);
}
