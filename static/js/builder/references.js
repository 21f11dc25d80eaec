// Editors of the fields that point elsewhere: a link's target and on_delete, a child table's
// child entity (with "create a child entity"), and the source/field/function of rollups and lookups.
// `ctx` is the designer: entities(), otherEntities, fieldsOf(target), createChild(name), entityUrl(name).

import { t } from "../i18n.js";
import { el, labelled, localize } from "./dom.js";
import { propLabel, selectControl, setProp } from "./schema-form.js";

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

function bound(field, key, choices, onChange, { blank = t("Choose…"), label = propLabel(key) } = {}) {
  const control = selectControl(field[key] ?? "", choices, { blank, testid: `prop-${key}` });
  control.dataset.prop = key;
  control.addEventListener("change", () => { setProp(field, key, control.value); onChange(true); });
  return labelled(label, control);
}

export function linkEditor(field, schema, ctx, onChange) {
  const own = ctx.entities().map((e) => [e.name, `${localize(e.label, e.name)} (${e.name})`]);
  const other = ctx.otherEntities.map((e) => [e.value, `${localize(e.label, e.value)} (${e.value})`]);
  const picker = bound(field, "target", [...own, ...other], onChange, { label: t("Links to") });
  const onDelete = bound(field, "on_delete", schema.properties.on_delete.enum.map((v) => [v, t(ON_DELETE[v])]),
    onChange, { blank: t("Refuse (default)"), label: propLabel("on_delete") });
  return [picker, onDelete];
}

const ON_DELETE = { restrict: "Refuse while linked", cascade: "Delete this record too", set_null: "Clear the link" };

export function tableEditor(field, ctx, onChange) {
  const children = ctx.entities().filter((e) => e.name !== ctx.name).map((e) => [e.name, `${localize(e.label, e.name)} (${e.name})`]);
  const parts = [bound(field, "target", children, onChange, { label: t("Child entity (one row per line)") })];
  if (field.target && ctx.entities().some((e) => e.name === field.target)) {
    const columns = ctx.fieldsOf(field.target).map((f) => f.name).join(", ");
    parts.push(el("div", { class: "small text-body-secondary mb-2" }, [
      el("span", { text: `${t("Columns")}: ${columns || "—"} · ` }),
      el("a", { href: ctx.entityUrl(field.target), text: t("Open the child entity") }),
    ]));
  }
  const name = el("input", { class: "form-control form-control-sm font-monospace", placeholder: `${ctx.name}_line`,
    "aria-label": t("New child entity name"), dataset: { testid: "child-name" } });
  const message = el("div", { class: "small text-danger" });
  const create = el("button", { type: "button", class: "btn btn-sm btn-outline-primary text-nowrap", dataset: { testid: "create-child" },
    text: t("Create"), onclick: async () => {
      const wanted = name.value.trim();
      message.textContent = NAME.test(wanted) ? "" : t("Use a-z, 0-9 and _, starting with a letter.");
      if (message.textContent) return;
      const error = await ctx.createChild(wanted);
      if (error) message.textContent = error;
      else { field.target = wanted; onChange(true, true); }
    } });
  parts.push(el("div", { class: "ed-subtle-box mb-2" }, [
    el("div", { class: "small mb-1", text: t("Or create a child entity") }),
    el("div", { class: "input-group input-group-sm" }, [name, create]), message,
  ]));
  return parts;
}

/** A rollup sums (counts, …) a column of a child table; `source` is one of this entity's table fields. */
export function rollupEditor(field, schema, ctx, onChange) {
  const tables = ctx.fields().filter((f) => f.type === "table");
  const child = tables.find((f) => f.name === field.source)?.target;
  const columns = child ? ctx.fieldsOf(child).map((f) => [f.name, `${localize(f.label, f.name)} (${f.name})`]) : [];
  return [
    bound(field, "source", tables.map((f) => [f.name, localize(f.label, f.name)]), onChange, { label: t("Child table") }),
    bound(field, "field", columns, onChange, { label: t("Column"), blank: t("(rows, for count)") }),
    bound(field, "function", schema.properties.function.enum.map((v) => [v, v]), onChange),
  ];
}

/** A lookup shows a field of the linked record; `source` is one of this entity's link fields. */
export function lookupEditor(field, ctx, onChange) {
  const links = ctx.fields().filter((f) => f.type === "link");
  const target = links.find((f) => f.name === field.source)?.target;
  const parts = [bound(field, "source", links.map((f) => [f.name, localize(f.label, f.name)]), onChange, { label: t("Through the link") })];
  if (target && !target.includes(".")) {
    const columns = ctx.fieldsOf(target).map((f) => [f.name, `${localize(f.label, f.name)} (${f.name})`]);
    parts.push(bound(field, "field", columns, onChange, { label: t("Show the field") }));
  } else {
    const input = el("input", { class: "form-control form-control-sm font-monospace", value: field.field || "", dataset: { prop: "field", testid: "prop-field" } });
    input.addEventListener("input", () => { setProp(field, "field", input.value.trim()); onChange(false); });
    parts.push(labelled(t("Show the field"), input));
  }
  return parts;
}
