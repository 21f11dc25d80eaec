// Tiny DOM helpers for the builder. Text always goes in through textContent, never innerHTML,
// so names, labels and server messages can never become markup.

export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...[].concat(children).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

let uid = 0;
/** A unique id, so every label can point at its input. */
export const nextId = (prefix = "ed") => `${prefix}-${++uid}`;

/** A labelled control in the Bootstrap style; `control` gets an id if it has none. */
export function labelled(text, control, help = null) {
  control.id ||= nextId();
  const isCheck = control.type === "checkbox";
  const label = el("label", { class: isCheck ? "form-check-label" : "form-label small mb-1", for: control.id, text });
  if (isCheck) control.classList.add("form-check-input");
  const parts = isCheck ? [control, label] : [label, control];
  if (help) parts.push(el("div", { class: "form-text", text: help }));
  const dataset = control.dataset.prop ? { prop: control.dataset.prop } : {};
  return el("div", { class: isCheck ? "form-check mb-2" : "mb-2", dataset }, parts);
}

/** The text of a label map in the page's language (a plain string counts for every language). */
export function localize(label, fallback = "") {
  if (typeof label === "string") return label;
  if (!label || typeof label !== "object") return fallback;
  const lang = document.documentElement.lang.toLowerCase().startsWith("zh") ? "zh" : "en";
  return label[lang] || label.en || label["*"] || Object.values(label)[0] || fallback;
}

/** Call `fn` once the calls stop for `ms` milliseconds. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
