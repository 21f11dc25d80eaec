/**
 * A condition (visible_when / required_when) in the entity designer's formula editor: field
 * names completed as you type, the error's spot marked, and a result that must be BOOLEAN, as
 * publish insists. Checked by POST /builder/api/<app>/formula against the draft entity.
 */

import { el, sendJSON } from "./form-api.js";
import { FormulaEditor } from "./formula-editor.js";

const replies = new Map(); // "entity\nexpression" -> the server's answer (a promise)

/**
 * The entity does not change while the page is open, so an answer holds for the page's life:
 * redrawing the panel (another selection, a click on Columns) asks the server nothing new.
 */
function checker(app, entity) {
  return (expression) => {
    const key = `${entity}\n${expression}`;
    if (!replies.has(key)) {
      replies.set(key, sendJSON("POST", `/builder/api/${app}/formula`, { entity, expression }).then((reply) => {
        if (reply.status !== 200) replies.delete(key); // a failed check is asked again
        return reply;
      }));
    }
    return replies.get(key);
  };
}

/**
 * ``{app, entity, label, value, onChange, text, testid}`` -> a form group whose status line says
 * whether the condition checks. ``onChange(value)`` gets "" when cleared.
 */
export function conditionInput({ app, entity, label, value, onChange, text, testid }) {
  const editor = new FormulaEditor({
    value: value || "", check: checker(app, entity), onInput: (source) => onChange(source.trim()),
    preview: false, testid, inputTestid: testid, placeholder: text.condition_placeholder, hint: "",
    expects: { type: "BOOLEAN", ok: text.condition_ok, wrong: text.not_boolean },
  });
  editor.input.id = `fd-cond-${testid}`;
  return el("div", { class: "mb-3" },
    el("label", { class: "form-label small fw-semibold mb-1", for: editor.input.id }, label), editor.element);
}
