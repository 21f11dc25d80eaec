/**
 * JSON calls of the form designer to the builder API. The frame puts the CSRF token in a meta
 * tag; flask-wtf checks it on every POST/PUT from the X-CSRFToken header.
 */

const token = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

/** ``{status, data}``; a body that is not JSON (a proxy's error page) reads as null. */
export async function sendJSON(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token() },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => null);
  return { status: response.status, data };
}

/** ``fn`` once the calls have paused for ``wait`` ms (typing, dragging). */
export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

/** An element with attributes and children; text goes in as text nodes, never as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** A label map in the page's language, as the server's ``localize`` picks it. */
export function localize(label, fallback = "") {
  if (typeof label === "string") return label || fallback;
  if (!label || typeof label !== "object") return fallback;
  const lang = document.documentElement.lang.toLowerCase().startsWith("zh") ? "zh" : "en";
  return label[lang] || label["*"] || label.en || Object.values(label)[0] || fallback;
}
