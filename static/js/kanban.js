// Kanban: drag a card to another column (desktop) or pick "Move to" (touch screens, keyboard).
// The card moves at once; the server has the last word: a refused move (a rule, a stale
// version) puts the card back where it was and says why.

const board = document.querySelector("[data-kanban]");
// A move the server refused, with its reason; any other failure shows the page's own text.
class Refused extends Error {}
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";
let dragged = null;

const columnOf = (card) => card.closest("[data-column]");
const zoneOf = (column) => column.querySelector("[data-drop-zone]");

function recount(column) {
  const counter = column.querySelector("[data-count]");
  const n = zoneOf(column).querySelectorAll("[data-card]").length;
  counter.dataset.count = String(n);
  counter.textContent = counter.dataset.more === "1" ? `${n}+` : String(n);
}

function putInto(card, column, before = null) {
  const from = columnOf(card);
  zoneOf(column).insertBefore(card, before ?? zoneOf(column).querySelector("[data-card]"));
  recount(from);
  recount(column);
}

function setVersion(card, version) {
  card.dataset.version = String(version);
  card.querySelector("input[data-version]").value = String(version);
}

function showError(message) {
  const box = document.querySelector("[data-toasts]");
  const toast = document.createElement("div");
  toast.className = "toast align-items-center text-bg-danger border-0";
  toast.setAttribute("role", "alert");
  toast.dataset.testid = "move-error";
  const body = document.createElement("div");
  body.className = "toast-body";
  body.textContent = message;
  toast.append(body);
  box.append(toast);
  if (window.bootstrap?.Toast) {
    toast.addEventListener("hidden.bs.toast", () => toast.remove());
    new window.bootstrap.Toast(toast, { delay: 6000 }).show();
  } else {
    toast.classList.add("show");
  }
}

async function move(card, target) {
  const from = columnOf(card);
  if (!target || target === from || card.classList.contains("saving")) return;
  const origin = card.nextElementSibling;
  const select = card.querySelector("[data-move-select]");
  putInto(card, target);
  card.classList.add("saving");
  try {
    const response = await fetch(card.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
      body: new URLSearchParams({ field: board.dataset.field, value: target.dataset.value, version: card.dataset.version }),
    });
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) throw new Refused(payload.error?.message || board.dataset.errorText);
    setVersion(card, payload.data.version);
    select.value = target.dataset.value;
    card.classList.remove("moved");
    void card.offsetWidth; // restart the highlight animation
    card.classList.add("moved");
  } catch (error) {
    putInto(card, from, origin);
    select.value = from.dataset.value;
    showError(error instanceof Refused ? error.message : board.dataset.errorText);
  } finally {
    card.classList.remove("saving");
  }
}

function columnFor(value) {
  return [...board.querySelectorAll("[data-column]")].find((column) => column.dataset.value === value);
}

if (board) {
  board.classList.add("js-ready");

  board.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("[data-card][data-movable]"); // a read-only card stays put
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.id);
    dragged.classList.add("dragging");
  });
  board.addEventListener("dragend", () => {
    dragged?.classList.remove("dragging");
    dragged = null;
    board.querySelectorAll(".drop-target").forEach((zone) => zone.classList.remove("drop-target"));
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest("[data-column]");
    if (!dragged || !column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".drop-target").forEach((zone) => zone.classList.toggle("drop-target", zone === zoneOf(column)));
    if (column !== columnOf(dragged)) zoneOf(column).classList.add("drop-target");
  });
  board.addEventListener("drop", (event) => {
    const column = event.target.closest("[data-column]");
    if (!dragged || !column) return;
    event.preventDefault();
    move(dragged, column);
  });

  board.addEventListener("change", (event) => {
    const select = event.target.closest("[data-move-select]");
    if (select) move(select.closest("[data-card]"), columnFor(select.value));
  });
  board.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-move-form]");
    if (!form) return;
    event.preventDefault();
    move(form.closest("[data-card]"), columnFor(form.querySelector("[data-move-select]").value));
  });
}
