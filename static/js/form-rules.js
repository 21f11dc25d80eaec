/**
 * Live visible_when / required_when rules on forms, with the server's meaning.
 *
 * Markup (trees from runtime/metadata/expressions/tree.py:to_tree):
 *   <form data-rules data-vars='{"me": 7, "today": "2026-01-31", "now": "..."}'>
 *     <div class="mc-field" data-field="amount" data-visible-when='<tree>'
 *          data-required-when='<tree>'> <label>Amount</label> <input name="amount"> </div>
 *     <section data-visible-when='<tree>'>...</section>   (tabs: put it on tab and pane)
 *     <div data-tab-card> ... <li data-visible-when> <button role="tab"> ... <div class="tab-pane" data-visible-when>
 * A rule whose tree is None is simply not emitted: the server decides it after submit.
 *
 * A hidden element gets ``hidden`` and its inputs are disabled, so values the
 * user cannot see are neither submitted nor required; other rules then read
 * those fields as null, as the server will (re-evaluated until stable).
 * A rule that cannot be evaluated (a half-typed date) counts as false, like null.
 * A hidden tab cannot stay the open one: the first tab still shown opens instead,
 * and a card whose tabs are all hidden goes too.
 */

import { ExprError, evaluate, truthy } from "./expr.js";

const HIDDEN = "rulesHidden";
const DISABLED = "rulesDisabled";
const SKIPPED = new Set(["submit", "button", "reset", "file", "image"]);

/** Read a tree from an attribute once; the rules live as long as the form. */
function rulesOf(form, attribute) {
  return [...form.querySelectorAll(`[${attribute}]`)].map((element) => ({
    element,
    tree: JSON.parse(element.getAttribute(attribute)),
  }));
}

function holds(tree, values, vars) {
  try {
    return truthy(evaluate(tree, values, vars));
  } catch (error) {
    if (error instanceof ExprError) return false;
    throw error;
  }
}

/** Field values as the server's field types will read the submission: "" is null. */
export function readValues(form) {
  const groups = new Map();
  for (const input of form.elements) {
    if (!input.name || SKIPPED.has(input.type) || input.dataset[DISABLED]) continue;
    if (!groups.has(input.name)) groups.set(input.name, []);
    groups.get(input.name).push(input);
  }
  const values = {};
  for (const [name, inputs] of groups) values[name] = readGroup(inputs);
  return values;
}

function readGroup(inputs) {
  const [first] = inputs;
  if (first.type === "checkbox" && inputs.length === 1) return first.checked;
  if (first.type === "checkbox" || first.type === "radio" || first.multiple) {
    const chosen = first.multiple
      ? [...first.selectedOptions].map((option) => option.value)
      : inputs.filter((input) => input.checked).map((input) => input.value);
    if (first.type === "radio") return chosen[0] ?? null;
    return chosen.length ? chosen : null;
  }
  return first.value === "" ? null : first.value;
}

/** Show or hide; true when something changed, so dependent rules run again. */
function setShown(element, shown) {
  const changed = !element.dataset[HIDDEN] !== shown;
  element.hidden = !shown;
  if (shown) delete element.dataset[HIDDEN];
  else element.dataset[HIDDEN] = "1";
  return changed;
}

/** Inputs under a hidden element are disabled by us; only ours are enabled again. */
function syncDisabled(form) {
  for (const input of form.elements) {
    const hidden = Boolean(input.closest("[data-rules-hidden]"));
    if (hidden && !input.disabled) {
      input.disabled = true;
      input.dataset[DISABLED] = "1";
    } else if (!hidden && input.dataset[DISABLED]) {
      input.disabled = false;
      delete input.dataset[DISABLED];
    }
  }
}

function syncTabs(form) {
  for (const card of form.querySelectorAll("[data-tab-card]")) {
    const shown = [...card.querySelectorAll("[role=tab]")].filter((tab) => !tab.closest("[hidden]"));
    card.hidden = !shown.length;
    const open = card.querySelector("[role=tab].active");
    if (shown.length && !shown.includes(open)) shown[0].click(); // Bootstrap's data API switches the pane
  }
}

function setRequired(wrapper, required) {
  const name = wrapper.dataset.field;
  for (const input of wrapper.querySelectorAll(`[name="${CSS.escape(name)}"]`)) input.required = required;
  let marker = wrapper.querySelector(".mc-required");
  if (!marker) {
    marker = document.createElement("span");
    marker.className = "mc-required";
    marker.setAttribute("aria-hidden", "true");
    marker.textContent = "*";
    (wrapper.querySelector("label") || wrapper).append(marker);
  }
  marker.hidden = !required;
}

/** Evaluate every rule of ``form`` now and again on each input or change. */
export function bind(form) {
  const vars = JSON.parse(form.dataset.vars || "{}");
  const visible = rulesOf(form, "data-visible-when");
  const required = rulesOf(form, "data-required-when");
  const update = () => {
    // Hiding a field nulls it, which may hide another: at most one pass per rule.
    for (let pass = 0; pass <= visible.length; pass += 1) {
      const values = readValues(form);
      let changed = false;
      for (const rule of visible) changed = setShown(rule.element, holds(rule.tree, values, vars)) || changed;
      syncDisabled(form);
      if (!changed) break;
    }
    syncTabs(form);
    const values = readValues(form);
    for (const rule of required) setRequired(rule.element, holds(rule.tree, values, vars));
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}

function bindAll() {
  for (const form of document.querySelectorAll("form[data-rules]")) bind(form);
}

// A module may run after DOMContentLoaded (added late): bind at once then.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bindAll);
else bindAll();
