// Kanban: drag a card to another column (mouse: HTML5 drag and drop; touch: hold the card, then slide it)
// or pick "Move to" (keyboard, screen readers).
// The card moves at once; the server has the last word: a refused move (a rule, a stale
// version) puts the card back where it was and says why.

const board = document.querySelector("[data-kanban]");
// A move the server refused, with its reason; any other failure shows the page's own text.
class Refused extends Error {}
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";
let dragged = null;
// Touch: a finger resting HOLD_MS on a movable card lifts it; one that moves sooner scrolls the board as
// usual. touch-action can't tell the two apart (it is fixed when the finger lands), so it stays at its
// default and a lifted card cancels the touchmoves that would scroll instead.
const HOLD_MS = 300; // under the browser's long press (context menu, text selection)
const SLOP_PX = 10; // a finger moving further before the hold is scrolling
const EDGE_PX = 40; // a lifted card this near the board's left/right edge scrolls it...
const SCROLL_PX = 8; // ...this far a frame
let press = null; // the touched card: {card, pointerId, x, y, timer}, once lifted also {ghost, offsetX, offsetY, frame}

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

// Mark `column`'s drop zone as the target; none when null or the dragged card's own column.
function highlight(column) {
  const zone = column && column !== columnOf(dragged) ? zoneOf(column) : null;
  board.querySelectorAll(".drop-target").forEach((other) => other !== zone && other.classList.remove("drop-target"));
  zone?.classList.add("drop-target");
}

// The column under the finger, also in the empty board below a column shorter than its neighbours.
function columnAt(x, y) {
  const hit = document.elementFromPoint(x, y);
  const below = (column) => {
    const { left, right } = column.getBoundingClientRect();
    return left <= x && x <= right;
  };
  const column = hit === board ? [...board.querySelectorAll("[data-column]")].find(below) : hit?.closest("[data-column]");
  return column && board.contains(column) ? column : null;
}

function lift() {
  const { card } = press;
  const box = card.getBoundingClientRect();
  const ghost = card.cloneNode(true); // a look-alike without the card's ids, data and form
  ghost.querySelector("[data-move-form]").remove();
  Object.keys(ghost.dataset).forEach((key) => delete ghost.dataset[key]);
  ghost.removeAttribute("draggable");
  ghost.classList.remove("moved");
  ghost.classList.add("kanban-ghost");
  ghost.setAttribute("aria-hidden", "true");
  ghost.style.width = `${box.width}px`;
  document.body.append(ghost);
  Object.assign(press, { ghost, offsetX: press.x - box.left, offsetY: press.y - box.top });
  dragged = card;
  card.classList.add("dragging");
  board.classList.add("touch-dragging");
  follow();
  press.frame = requestAnimationFrame(autoScroll);
}

function follow() {
  press.ghost.style.translate = `${press.x - press.offsetX}px ${press.y - press.offsetY}px`;
  highlight(columnAt(press.x, press.y));
}

// Runs every frame while a card is lifted, so a finger resting near an edge keeps the board scrolling.
function autoScroll() {
  const { left, right } = board.getBoundingClientRect();
  const step = press.x < left + EDGE_PX ? -SCROLL_PX : press.x > right - EDGE_PX ? SCROLL_PX : 0;
  if (step) {
    board.scrollLeft += step;
    highlight(columnAt(press.x, press.y));
  }
  press.frame = requestAnimationFrame(autoScroll);
}

// The finger is off: put everything back, then move the card if it was let go over another column.
function release(target) {
  const { card, timer, frame, ghost } = press;
  clearTimeout(timer);
  cancelAnimationFrame(frame);
  ghost?.remove();
  card.classList.remove("dragging");
  card.draggable = true;
  board.classList.remove("touch-dragging");
  highlight(null);
  dragged = null;
  press = null;
  if (target) move(card, target);
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
    highlight(null);
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest("[data-column]");
    if (!dragged || !column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    highlight(column);
  });
  board.addEventListener("drop", (event) => {
    const column = event.target.closest("[data-column]");
    if (!dragged || !column) return;
    event.preventDefault();
    move(dragged, column);
  });

  board.addEventListener("pointerdown", (event) => {
    const card = event.target.closest("[data-card][data-movable]"); // a read-only card only scrolls
    if (event.pointerType === "mouse" || !event.isPrimary || press || !card) return; // mice use HTML5 drag
    if (event.target.closest("[data-move-form]")) return; // "Move to" stays a plain select
    card.draggable = false; // or the browser's own touch drag and drop may take over the hold
    press = { card, pointerId: event.pointerId, x: event.clientX, y: event.clientY, timer: setTimeout(lift, HOLD_MS) };
  });
  board.addEventListener("pointermove", (event) => {
    if (event.pointerId !== press?.pointerId) return;
    if (press.ghost) {
      Object.assign(press, { x: event.clientX, y: event.clientY });
      follow();
    } else if (Math.hypot(event.clientX - press.x, event.clientY - press.y) > SLOP_PX) {
      release(null);
    }
  });
  board.addEventListener("pointerup", (event) => {
    if (event.pointerId === press?.pointerId) release(press.ghost ? columnAt(event.clientX, event.clientY) : null);
  });
  board.addEventListener("pointercancel", (event) => {
    if (event.pointerId === press?.pointerId) release(null); // the browser took the gesture (a scroll)
  });
  board.addEventListener("touchmove", (event) => press?.ghost && event.preventDefault(), { passive: false });
  board.addEventListener("contextmenu", (event) => press && event.preventDefault());

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
