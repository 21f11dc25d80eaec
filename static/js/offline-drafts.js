// Forms that survive a dropped connection.
//
// Contract: <form method="post" data-offline-draft="<stable key>"> with named
// inputs and a hidden csrf_token. Such a form
//   * autosaves what is typed (per user and key) and restores it on the next
//     visit, with a dismissible "Draft restored" note;
//   * when submitted offline, is queued on this device instead of sent, shows
//     "Pending sync", and is replayed by offline-sync.js once back online;
//   * when submitted online, submits normally (server redirects, flashes and
//     422 pages work as without this script); the draft is cleared when the
//     next page shows the save worked.
// Not kept in drafts: csrf_token, passwords, files (the restored note asks for
// them again) and fields marked data-offline-draft-skip. Queued submissions do
// carry files. Child rows added inline (record-form.js) come back with their
// values, and an input showing a title for its value (a link picker's
// data-title) gets its title back.

import { t } from "./i18n.js";
import { startBadge } from "./offline-badge.js";
import * as store from "./offline-store.js";
import { onReplayed, startSync } from "./offline-sync.js";

const SAVE_DELAY_MS = 400;
const PROBE_TIMEOUT_MS = 5000;
const SUBMITTED = "metacrm:submitted"; // sessionStorage: the form submitted natively just now
const TONES = { restored: "info", attention: "danger", pending: "warning", sent: "success" };
const TITLES = {
  restored: t("Draft restored"), attention: t("Needs attention"), pending: t("Pending sync"), sent: t("Saved"),
};

const root = document.getElementById("pwa-status");
const user = root?.dataset.user ?? "";
const contexts = new WeakMap();

init().catch((error) => console.warn("metacrm: offline drafts unavailable", error));

async function init() {
  if (!root || !("indexedDB" in window)) return;
  const rerendered = await settleSubmitted();
  root.dataset.draftsSettled = ""; // a saved submit's draft is gone from this device (tests wait on it)
  const forms = document.querySelectorAll("form[data-offline-draft]");
  await Promise.all([...forms].map((form) => bindForm(form, rerendered)));
  // On document, so the form's own submit listeners (validation) run first.
  document.addEventListener("submit", onSubmit);
  onReplayed(showReplayed);
  startBadge(root, user);
  startSync({ user, loginPath: root.dataset.loginPath });
}

// --- drafts ----------------------------------------------------------------------------

async function bindForm(form, rerendered) {
  const ctx = { key: form.dataset.offlineDraft, timer: 0, attention: null, queued: false, note: null };
  contexts.set(form, ctx);
  const draft = await store.getDraft(user, ctx.key);
  ctx.attention = draft?.attention ?? null;
  // After a refused native submit the server's page already shows what was typed, with its errors.
  if (draft && ctx.key !== rerendered) await restore(form, ctx, draft);
  const waiting = (await store.listQueue()).filter((item) => item.key === ctx.key && item.user === user).length;
  if (waiting && !ctx.note) {
    const message = waiting === 1
      ? t("{n} entry from this form will be sent when you are back online.", { n: 1 })
      : t("{n} entries from this form will be sent when you are back online.", { n: waiting });
    showNote(form, ctx, "pending", message);
  }
  const save = () => scheduleSave(form, ctx);
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  // A tab put away (or a phone locked) may never come back: write the pending change now.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && ctx.timer) saveNow(form, ctx);
  });
  form.dataset.offlineReady = ""; // lets tests (and other scripts) know the draft logic is live
}

async function restore(form, ctx, draft) {
  const original = snapshot(form);
  // Twice: a restored value can reveal (enable) a conditional field the first pass had to skip.
  const changed = await applyValues(form, draft);
  if (changed) await applyValues(form, draft);
  if (!changed && !draft.attention) {
    await store.deleteDraft(user, ctx.key); // it only repeats what the server shows
    return;
  }
  const when = new Date(draft.saved_at).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
  let message = draft.attention
    ? t("This entry was sent while offline ({when}) but not saved: the server asked for changes. Check the fields and submit again.", { when })
    : t("Your unsaved entries from {when} are back.", { when });
  if (draft.files_dropped) message += ` ${t("Files you had chosen cannot be kept in a draft: choose them again.")}`;
  const discard = button(t("Discard draft"), async () => {
    await applyValues(form, original);
    ctx.attention = null;
    cancelSave(ctx); // applyValues' change events scheduled one
    await store.deleteDraft(user, ctx.key);
    ctx.note?.remove();
  });
  showNote(form, ctx, draft.attention ? "attention" : "restored", message, [discard]);
}

function scheduleSave(form, ctx) {
  cancelSave(ctx);
  if (!ctx.queued) ctx.timer = setTimeout(() => saveNow(form, ctx), SAVE_DELAY_MS);
}

function cancelSave(ctx) {
  clearTimeout(ctx.timer);
  ctx.timer = 0;
}

// Only after a change: a draft of untouched server values would later hide newer ones.
async function saveNow(form, ctx) {
  cancelSave(ctx);
  if (ctx.queued) return;
  await store.saveDraft({
    user, key: ctx.key, page: location.href.split("#")[0], ...snapshot(form),
    saved_at: new Date().toISOString(), attention: ctx.attention,
  });
  form.dataset.draftSavedAt = new Date().toISOString();
}

// What a draft keeps of the form.
function snapshot(form) {
  const values = [...new FormData(form)].filter(([name, value]) => typeof value === "string" && !isSkipped(form, name));
  const files_dropped = [...form.elements].some((element) => element.type === "file" && element.files.length > 0);
  return { values, titles: titlesOf(form), files_dropped };
}

// A link picker shows a title for the id it holds: without it a restored id would show blank.
function titlesOf(form) {
  return Object.fromEntries([...form.querySelectorAll("[name][data-title]")].map((el) => [el.name, el.dataset.title]));
}

function isSkipped(form, name) {
  if (name === "csrf_token") return true;
  const field = form.elements.namedItem(name);
  const element = field instanceof RadioNodeList ? field[0] : field;
  return !element || element.type === "password" || element.hasAttribute("data-offline-draft-skip");
}

// Put a snapshot's [name, value] pairs (and titles) back into the form; true when anything changed.
async function applyValues(form, { values, titles = {} }) {
  const wanted = new Map();
  for (const [name, value] of values) wanted.set(name, [...(wanted.get(name) ?? []), value]);
  const seen = new Map();
  // Child rows added inline must exist before their values can go in: record-form.js makes them.
  let changed = Boolean(form.querySelector("template[data-row-template]"))
    && (await import("./record-form.js")).matchRows(form, values.map(([name]) => name));
  for (const element of form.elements) {
    if (!element.name || element.disabled || isSkipped(form, element.name)) continue;
    if (["file", "submit", "button", "reset", "image"].includes(element.type)) continue;
    const own = wanted.get(element.name) ?? [];
    let differs;
    if (element.type === "checkbox" || element.type === "radio") {
      differs = element.checked !== own.includes(element.value);
      element.checked = own.includes(element.value);
    } else if (element instanceof HTMLSelectElement && element.multiple) {
      differs = [...element.options].some((o) => o.selected !== own.includes(o.value));
      for (const option of element.options) option.selected = own.includes(option.value);
    } else {
      const index = seen.get(element.name) ?? 0;
      seen.set(element.name, index + 1);
      if (index >= own.length) continue; // a field the draft does not know keeps the server's value
      differs = element.value !== own[index];
      if (element.name in titles) element.dataset.title = titles[element.name];
      element.value = own[index];
    }
    // Let dependent UI (conditional fields in form-rules.js) see the restored value.
    if (differs) element.dispatchEvent(new Event("change", { bubbles: true }));
    changed ||= differs;
  }
  return changed;
}

// --- submitting --------------------------------------------------------------------------

async function onSubmit(event) {
  const form = event.target;
  const ctx = contexts.get(form);
  if (!ctx || form.method !== "post") return;
  if (ctx.bypass) { // our own requestSubmit below: let the browser send it
    ctx.bypass = false;
    if (!event.defaultPrevented) rememberSubmitted(form, ctx);
    return;
  }
  if (event.defaultPrevented) return;
  event.preventDefault();
  if (ctx.busy || ctx.queued) return;
  ctx.busy = true;
  try {
    if (await reachable()) {
      ctx.bypass = true;
      form.requestSubmit(event.submitter ?? undefined);
    } else {
      await enqueue(form, ctx, event.submitter);
    }
  } finally {
    ctx.busy = false;
  }
}

// navigator.onLine=true only means "some network": a tiny request tells whether the server answers.
async function reachable() {
  if (!navigator.onLine) return false;
  try {
    await fetch(root.dataset.probe, { method: "HEAD", cache: "no-store", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return true;
  } catch (networkError) {
    return false;
  }
}

async function enqueue(form, ctx, submitter) {
  const entries = [...new FormData(form)];
  if (submitter?.name) entries.push([submitter.name, submitter.value]);
  const action = submitter?.hasAttribute("formaction") ? submitter.formAction : form.action;
  await store.enqueue({
    user, key: ctx.key, page: location.href.split("#")[0], action,
    method: "POST", entries, titles: titlesOf(form), queued_at: new Date().toISOString(),
  });
  ctx.queued = true; // one queued copy is enough; further typing is not a new draft
  cancelSave(ctx);
  await store.deleteDraft(user, ctx.key); // the queue holds it now
  for (const element of form.querySelectorAll("[type=submit], button:not([type])")) element.disabled = true;
  showNote(form, ctx, "pending", t("Saved on this device. It will be sent automatically when you are back online."));
}

// An open form with this key learns how its replay went.
function showReplayed({ key, outcome, url }) {
  for (const form of document.querySelectorAll("form[data-offline-draft]")) {
    const ctx = contexts.get(form);
    if (ctx?.key !== key) continue;
    if (!ctx.queued) { // a fresh form that only mentioned waiting entries: the badge tells the rest
      if (ctx.note?.dataset.offlineNote === "pending") ctx.note.remove();
      continue;
    }
    if (outcome === "sent") {
      const open = document.createElement("a");
      open.className = "alert-link";
      open.href = url;
      open.textContent = t("Open it");
      showNote(form, ctx, "sent", t("The entry you made offline has been sent."), [open]);
      continue;
    }
    // Refused: the typed values are still in the form (and back in drafts); let the user fix them.
    ctx.queued = false;
    ctx.attention = { at: new Date().toISOString() };
    for (const element of form.querySelectorAll("[type=submit], button:not([type])")) element.disabled = false;
    showNote(form, ctx, "attention", t("This entry was not saved: the server asked for changes. Check the fields and submit again."));
  }
}

// The next page decides whether a native submit saved: the server redirects
// away from the form on success and shows it again (422) when it refuses.
function rememberSubmitted(form, ctx) {
  const mark = { key: ctx.key, page: location.href.split("#")[0], action: form.action };
  sessionStorage.setItem(SUBMITTED, JSON.stringify(mark));
}

async function settleSubmitted() {
  const raw = sessionStorage.getItem(SUBMITTED);
  if (!raw) return null;
  sessionStorage.removeItem(SUBMITTED);
  const mark = JSON.parse(raw);
  const here = location.href.split("#")[0];
  const status = performance.getEntriesByType("navigation")[0]?.responseStatus || 200; // 0/absent: unknown
  const formAgain = document.querySelector(`form[data-offline-draft="${CSS.escape(mark.key)}"]`);
  const saved = status < 300 && !formAgain && here !== mark.page && here !== mark.action
    && !document.querySelector("[data-offline-page]");
  if (!saved) return mark.key;
  await store.deleteDraft(user, mark.key);
  return null;
}

// --- notes -----------------------------------------------------------------------------

function showNote(form, ctx, kind, message, actions = []) {
  ctx.note?.remove();
  const note = document.createElement("div");
  note.className = `alert alert-${TONES[kind]} alert-dismissible pwa-form-note`;
  note.setAttribute("role", "status");
  note.dataset.offlineNote = kind;
  const title = document.createElement("strong");
  title.textContent = TITLES[kind];
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close";
  close.setAttribute("aria-label", t("Close"));
  close.addEventListener("click", () => note.remove());
  note.append(title, ` — ${message} `, ...actions, close);
  form.prepend(note);
  ctx.note = note;
}

function button(label, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "btn btn-sm btn-outline-secondary pwa-note-action";
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}
