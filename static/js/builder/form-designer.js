/**
 * The form layout designer page (builder/form_layout.html): wires the model, palette, canvas,
 * properties and preview together, and saves with the revision the page started from. A 409
 * opens the conflict dialog with both versions; server problems for this file are pinned to the
 * block or field their JSON pointer names.
 */

import { el, sendJSON } from "./form-api.js";
import { showConflict } from "./form-conflict.js";
import { paletteTakesBack, renderCanvas, renderPalette } from "./form-canvas.js";
import { FormModel } from "./form-model.js";
import { Preview } from "./form-preview.js";
import { renderProps } from "./form-props.js";

const root = document.querySelector("[data-form-designer]");
const state = JSON.parse(root.dataset.state);
const text = JSON.parse(root.dataset.text);
const part = (name) => root.querySelector(`[data-part="${name}"]`);

const ui = {
  app: state.app,
  text,
  model: new FormModel(state.document, state.fields),
  selected: null,
  problems: new Map(),
  dirty: false,
  revision: state.revision,
  select(object) {
    ui.selected = object;
    redraw();
  },
  edited({ keepProps = false } = {}) {
    setDirty(true);
    notice(null); // "Saved" no longer holds
    redraw({ keepProps });
  },
};

const preview = new Preview(part("preview"), { app: state.app, entity: state.entity, text, vars: state.vars });

function redraw({ keepProps = false } = {}) {
  renderPalette(part("palette"), ui);
  renderCanvas(part("canvas"), ui);
  if (!keepProps) renderProps(part("props"), ui);
  if (!part("preview-pane").hidden) preview.render(ui.model);
}

function setDirty(dirty) {
  ui.dirty = dirty;
  part("dirty").hidden = !dirty;
  part("clean").hidden = dirty;
  // A form not saved yet can be saved as it is: that is how the generated layout becomes a document.
  part("save").disabled = !dirty && ui.revision !== null;
}

/** Pin each problem of this file to the object its pointer names; the rest are listed on top. */
function showProblems(problems) {
  ui.problems = new Map();
  const loose = [];
  for (const problem of problems.filter((p) => p.file === state.path)) {
    const target = ui.model.resolve(problem.pointer);
    if (target) ui.problems.set(target, [...(ui.problems.get(target) || []), problem.message]);
    else loose.push(problem);
  }
  const box = part("problems");
  box.hidden = !loose.length;
  box.replaceChildren(...loose.map((p) => el("div", {}, el("span", { class: "font-monospace" }, p.pointer || state.path), ` — ${p.message}`)));
  part("problem-count").hidden = !problems.some((p) => p.file === state.path);
}

/** A one-line status under the toolbar; no kind hides it. */
function notice(kind, message = "") {
  const box = part("notice");
  box.hidden = !kind;
  if (kind) box.className = `alert alert-${kind} py-2 small mb-3`;
  box.textContent = message;
}

async function save(revision = ui.revision) {
  part("save").disabled = true;
  const document = ui.model.toDocument();
  const { status, data } = await sendJSON("PUT", `/builder/api/${state.app}/documents/${state.path}`, { document, revision });
  if (status === 200) {
    ui.revision = data.revision;
    part("generated")?.remove();
    setDirty(false);
    showProblems(data.problems);
    notice("success", data.problems.some((p) => p.file === state.path) ? text.saved_with_problems : text.saved);
    redraw();
  } else if (status === 409) {
    part("save").disabled = false;
    openConflict(data.error.details, document);
  } else {
    part("save").disabled = false;
    notice("danger", data?.error?.message || text.save_failed);
  }
}

async function openConflict(details, mine) {
  const choice = await showConflict(root.querySelector("[data-conflict]"), { theirs: details.theirs, yours: mine, text });
  if (choice === "mine") save(details.theirs_revision);
  else if (choice === "theirs") {
    ui.revision = details.theirs_revision;
    ui.model.load(details.theirs || state.document);
    ui.selected = null;
    setDirty(false);
    notice("info", text.took_theirs);
    redraw();
  }
}

function showView(name) {
  const previewing = name !== "design";
  part("design-pane").hidden = previewing;
  part("preview-pane").hidden = !previewing;
  part("preview-frame").classList.toggle("fd-phone", name === "phone");
  preview.phone = name === "phone";
  for (const button of root.querySelectorAll("[data-view]")) {
    button.classList.toggle("active", button.dataset.view === name);
    button.setAttribute("aria-pressed", String(button.dataset.view === name));
  }
  if (previewing) preview.render(ui.model);
}

function addBlock(kind) {
  const block = kind === "tab" ? ui.model.addTab(text.new_tab) : ui.model.addSection(text.new_section);
  ui.select(block);
  ui.edited();
}

part("save").addEventListener("click", () => save());
part("add-section").addEventListener("click", () => addBlock("section"));
part("add-tab").addEventListener("click", () => addBlock("tab"));
for (const button of root.querySelectorAll("[data-view]")) button.addEventListener("click", () => showView(button.dataset.view));
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "s") {
    event.preventDefault();
    if (ui.dirty) save();
  }
});
// Leaving with unsaved edits asks first (the browser shows its own wording).
window.addEventListener("beforeunload", (event) => {
  if (ui.dirty) event.preventDefault();
});
paletteTakesBack(part("palette-card"), ui);
showProblems(state.problems);
setDirty(false);
redraw();
