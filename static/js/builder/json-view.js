// The JSON view of one draft document: edit the text, save it with the revision it started
// from, and show what the server says — a syntax error at its line, the schema problems of this
// document in the gutter and in a list, or someone else's newer version side by side with ours.

import { t } from "../i18n.js";
import { createEditor } from "./json-editor.js";
import { hideConflict, pretty, showConflict } from "./json-conflict.js";

const root = document.querySelector(".json-view");
const editor = createEditor(root.querySelector(".json-editor"));
const errorBox = root.querySelector(".json-error");
const stateBox = root.querySelector(".json-state");
const conflictPanel = root.querySelector(".json-conflict");
const list = root.querySelector(".json-problem-list");
const count = root.querySelector(".json-count");
const saveButton = root.querySelector('[data-action="save"]');
const path = root.dataset.path;
const csrf = document.querySelector('meta[name="csrf-token"]').content;

let revision = root.dataset.revision === "" ? null : Number(root.dataset.revision);
let savedText = editor.text;
let theirs = null; // {revision, text} while a conflict is shown

function setState(text, kind = "muted") {
  stateBox.textContent = text;
  stateBox.className = `json-state small text-${kind}`;
}

function showError(message, line) {
  errorBox.replaceChildren(document.createTextNode(message));
  if (line) {
    const go = document.createElement("button");
    go.type = "button";
    go.className = "btn btn-link btn-sm p-0 ms-2 align-baseline";
    go.textContent = t("Go to line {n}", { n: line });
    go.addEventListener("click", () => editor.jumpTo(line));
    errorBox.append(go);
  }
  errorBox.classList.remove("d-none");
}

function hideError() {
  errorBox.classList.add("d-none");
}

function renderProblems(problems) {
  editor.setMarks(problems);
  count.textContent = String(problems.length);
  count.className = `badge rounded-pill json-count ${problems.length ? "text-bg-danger" : "text-bg-success"}`;
  if (!problems.length) {
    const ok = document.createElement("li");
    ok.className = "list-group-item text-success";
    ok.dataset.testid = "json-no-problems";
    ok.textContent = t("No problems: this document is valid.");
    list.replaceChildren(ok);
    return;
  }
  list.replaceChildren(...problems.map((p) => {
    const item = document.createElement("li");
    item.className = "list-group-item list-group-item-action json-problem";
    item.tabIndex = 0;
    item.dataset.line = String(p.line || 1);
    const where = document.createElement("span");
    where.className = "badge text-bg-danger me-2";
    where.textContent = t("line {n}", { n: p.line || 1 });
    const pointer = document.createElement("span");
    pointer.className = "font-monospace text-body-secondary me-2";
    pointer.textContent = p.pointer || "";
    item.append(where, pointer, document.createTextNode(p.message));
    return item;
  }));
}

async function save() {
  if (saveButton.disabled) return;
  saveButton.disabled = true;
  try {
    await send();
  } finally {
    saveButton.disabled = false;
  }
}

async function send() {
  hideError();
  setState(t("Saving…"));
  let response;
  try {
    response = await fetch(root.dataset.saveUrl, {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ text: editor.text, revision }),
    });
  } catch {
    setState("");
    showError(t("The server could not be reached. Your text is still here: try again."));
    return;
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok) {
    saved(body);
  } else {
    failed(response.status, body.error || {});
  }
}

function saved(body) {
  const created = root.dataset.exists !== "true";
  revision = body.revision;
  savedText = editor.text;
  theirs = null;
  hideConflict(conflictPanel);
  if (created) {
    window.location.reload(); // the sidebar and the header now list the new document
    return;
  }
  const problems = body.problems || [];
  renderProblems(problems.filter((p) => p.file === path));
  const others = problems.filter((p) => p.file !== path).length;
  root.querySelector(".json-others").textContent = String(others);
  root.querySelector('[data-testid="json-others"]').classList.toggle("d-none", others === 0);
  const label = root.querySelector('[data-testid="json-revision"]');
  if (label) label.textContent = t("revision {n}", { n: revision });
  setState(t("Saved"), "success");
}

function failed(status, error) {
  setState("");
  const details = error.details || {};
  if (status === 409 && "theirs" in details) {
    theirs = { revision: details.theirs_revision ?? null, text: pretty(details.theirs) };
    showConflict(conflictPanel, theirs.text || t("(removed by someone else)"), editor.text);
    setState(t("Not saved: conflict"), "danger");
    return;
  }
  if (status === 422 && details.line) {
    showError(error.message, details.line);
    renderProblems([{ line: details.line, pointer: "", message: error.message }]);
    editor.jumpTo(details.line, details.col || 1);
    setState(t("Not saved"), "danger");
    return;
  }
  showError(error.message || t("The document was not saved."));
}

function keepMine() {
  revision = theirs.revision;
  save();
}

function takeTheirs() {
  revision = theirs.revision;
  editor.text = theirs.text;
  savedText = theirs.text;
  theirs = null;
  hideConflict(conflictPanel);
  editor.setMarks([]);
  setState(t("Their version is loaded"), "muted");
}

function format() {
  try {
    editor.text = pretty(JSON.parse(editor.text));
    hideError();
    markDirty();
  } catch (err) {
    showError(err.message);
  }
}

function markDirty() {
  if (editor.text !== savedText) setState(t("Unsaved changes"), "warning-emphasis");
  else setState("");
}

const ACTIONS = { save, format, "keep-mine": keepMine, "take-theirs": takeTheirs };

root.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (button) ACTIONS[button.dataset.action]();
  const problem = event.target.closest(".json-problem");
  if (problem) editor.jumpTo(Number(problem.dataset.line));
});
list.addEventListener("keydown", (event) => {
  const problem = event.target.closest(".json-problem");
  if (problem && event.key === "Enter") editor.jumpTo(Number(problem.dataset.line));
});
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    save();
  }
});
editor.onInput(markDirty);

renderProblems(JSON.parse(root.dataset.problems));
if (root.dataset.jump) editor.jumpTo(Number(root.dataset.jump));
