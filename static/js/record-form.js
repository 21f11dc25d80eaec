// The record form: child-table rows added and removed inline, link fields as search-as-you-type pickers.

import { t } from "./i18n.js";

// The row numbers the names of child table `name` use ("lines-3-qty" -> 3); field names are a-z, 0-9 and _.
function rowIndexes(name, names) {
  const prefix = new RegExp(`^${name}-(\\d+)-`);
  return new Set(names.map((n) => Number(n.match(prefix)?.[1])).filter(Number.isInteger));
}

const rowNames = (element) => [...element.querySelectorAll("[name]")].map((el) => el.name);

function appendRow(name, index) {
  const template = document.querySelector(`template[data-row-template="${CSS.escape(name)}"]`);
  const box = document.querySelector(`[data-rows="${CSS.escape(name)}"]`);
  const row = template.content.firstElementChild.cloneNode(true);
  for (const el of row.querySelectorAll("[name], [id], [for]")) {
    for (const attr of ["name", "id", "for"]) {
      if (el.hasAttribute(attr)) el.setAttribute(attr, el.getAttribute(attr).replace("__index__", index));
    }
  }
  box.append(row);
  row.querySelectorAll("input[data-link]").forEach(makePicker);
  return row;
}

function addRow(name) {
  const used = rowIndexes(name, rowNames(document.querySelector(`[data-rows="${CSS.escape(name)}"]`)));
  const row = appendRow(name, String(used.size ? Math.max(...used) + 1 : 0));
  row.querySelector("input:not([type=hidden]), select, textarea")?.focus();
  row.closest("form").dispatchEvent(new Event("input", { bubbles: true }));
}

document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-add-row]");
  if (add) addRow(add.dataset.addRow);
  const remove = event.target.closest("[data-remove-row]");
  if (remove) {
    const form = remove.closest("form");
    remove.closest("[data-row]").remove();
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }
});

/** Make the form's child rows those `names` (a saved draft's field names) fill: rows added
 * inline come back, rows since removed go. True when a row was added or removed. */
export function matchRows(form, names) {
  let changed = false;
  for (const template of form.querySelectorAll("template[data-row-template]")) {
    const name = template.dataset.rowTemplate;
    const wanted = rowIndexes(name, names);
    for (const row of form.querySelector(`[data-rows="${CSS.escape(name)}"]`).querySelectorAll("[data-row]")) {
      const [index] = rowIndexes(name, rowNames(row));
      // A row a rule hides has disabled inputs, which drafts never see: it stays.
      if (wanted.delete(index) || row.querySelector("[name]:disabled")) continue;
      row.remove();
      changed = true;
    }
    for (const index of wanted) appendRow(name, String(index)); // in the draft's order, as they were shown
    changed ||= wanted.size > 0;
  }
  return changed;
}

// A link input holds the record id; the picker shows titles and writes the id back.
function makePicker(input) {
  if (input.dataset.picker) return;
  input.dataset.picker = "1";
  input.type = "hidden";
  const wrap = document.createElement("div");
  wrap.className = "link-picker position-relative";
  const box = document.createElement("input");
  box.type = "search";
  box.className = input.className.replace("is-invalid", "") + (input.classList.contains("is-invalid") ? " is-invalid" : "");
  box.placeholder = t("Search…");
  box.autocomplete = "off";
  box.value = input.dataset.title || "";
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-expanded", "false");
  if (input.id) { box.id = input.id + "-search"; }
  const list = document.createElement("div");
  list.className = "dropdown-menu w-100 link-options";
  list.setAttribute("role", "listbox");
  wrap.append(box, list);
  input.after(wrap);
  const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
  if (label) label.htmlFor = box.id;

  let timer = null;
  let lastQuery = null;
  const show = (items) => {
    list.replaceChildren();
    for (const item of items) {
      const option = document.createElement("button");
      option.type = "button";
      option.className = "dropdown-item text-truncate";
      option.textContent = item.title;
      option.setAttribute("role", "option");
      option.addEventListener("click", () => choose(item));
      list.append(option);
    }
    if (!items.length) {
      const none = document.createElement("span");
      none.className = "dropdown-item-text text-body-secondary small";
      none.textContent = t("No matches");
      list.append(none);
    }
    list.classList.add("show");
    box.setAttribute("aria-expanded", "true");
  };
  const choose = (item) => {
    input.value = String(item.id);
    input.dataset.title = item.title; // kept with drafts (offline-drafts.js), which set it back on restore
    list.classList.remove("show");
    box.setAttribute("aria-expanded", "false");
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const search = async () => {
    const query = box.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    const url = new URL(input.dataset.optionsUrl, window.location.origin);
    url.searchParams.set("q", query);
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok && box.value.trim() === query) show((await response.json()).data);
  };
  input.addEventListener("change", () => { box.value = input.dataset.title || ""; });
  box.addEventListener("input", () => {
    if (!box.value.trim()) { input.value = ""; }
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  box.addEventListener("focus", () => { lastQuery = null; search(); });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") list.classList.remove("show");
    if (event.key === "ArrowDown") list.querySelector("button")?.focus();
  });
  document.addEventListener("click", (event) => {
    if (!wrap.contains(event.target)) list.classList.remove("show");
  });
}

document.querySelectorAll("input[data-link]").forEach(makePicker);
