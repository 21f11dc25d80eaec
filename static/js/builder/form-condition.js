/**
 * A condition input (visible_when / required_when) checked live against the draft entity by
 * POST /builder/api/<app>/formula: the error is shown at its line and column, and a condition
 * must come out BOOLEAN, as publish will insist.
 */

import { debounce, el, sendJSON } from "./form-api.js";

const checked = new Map(); // "entity:expression" -> the server's answer

/** Line and column (1-based) as an offset into ``text``. */
function offsetOf(text, line, col) {
  const lines = text.split("\n");
  const before = lines.slice(0, line - 1).reduce((sum, part) => sum + part.length + 1, 0);
  return Math.min(text.length, before + Math.max(0, col - 1));
}

/** The expression with the offending spot marked, so a long condition shows where it breaks. */
function marked(text, line, col) {
  const at = offsetOf(text, line, col);
  return el("code", { class: "fd-cond-where" }, text.slice(0, at),
    el("mark", {}, text.slice(at, at + 1) || " "), text.slice(at + 1));
}

/**
 * ``{app, entity, label, value, onChange, text}`` -> a form group whose status line says
 * whether the condition checks. ``onChange(value)`` gets "" when cleared.
 */
export function conditionInput({ app, entity, label, value, onChange, text, testid }) {
  const id = `fd-cond-${testid}`;
  const input = el("textarea", {
    id, class: "form-control form-control-sm font-monospace fd-cond", rows: 2, spellcheck: "false",
    placeholder: text.condition_placeholder, "data-testid": testid,
  });
  input.value = value || "";
  const status = el("div", { class: "small mt-1 fd-cond-status", "data-testid": `${testid}-status`, "aria-live": "polite" });

  const show = (kind, ...parts) => {
    status.className = `small mt-1 fd-cond-status ${kind}`;
    status.replaceChildren(...parts);
    input.classList.toggle("is-invalid", kind === "text-danger");
    input.classList.toggle("is-valid", kind === "text-success");
  };

  const verdict = (source, data) => {
    if (!data) return show("text-danger", text.check_failed);
    if (!data.ok) {
      const { line, col, message } = data.error;
      return show("text-danger", `${text.line_col.replace("{line}", line).replace("{col}", col)} ${message}`,
        el("br"), marked(source, line, col));
    }
    if (data.type !== "BOOLEAN") return show("text-danger", text.not_boolean.replace("{type}", data.type));
    return show("text-success", `✓ ${text.condition_ok}`);
  };

  const ask = debounce(async (source) => {
    show("text-body-secondary", text.checking);
    const { status: code, data } = await sendJSON("POST", `/builder/api/${app}/formula`, { entity, expression: source });
    if (code === 200 && data) checked.set(`${entity}:${source}`, data);
    if (input.value === source) verdict(source, code === 200 ? data : null); // else a newer check answers
  }, 250);

  // The entity does not change while the page is open, so a verdict holds for the page's life:
  // redrawing the panel (another selection, a click on Columns) asks the server nothing.
  const check = (source) => {
    if (!source.trim()) return show("");
    const known = checked.get(`${entity}:${source}`);
    return known ? verdict(source, known) : ask(source);
  };

  input.addEventListener("input", () => {
    onChange(input.value.trim());
    check(input.value);
  });
  check(input.value);
  return el("div", { class: "mb-3" }, el("label", { class: "form-label small fw-semibold mb-1", for: id }, label), input, status);
}
