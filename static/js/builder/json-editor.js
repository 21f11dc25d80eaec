// A plain <textarea> made into a small code editor: line numbers in a gutter, red markers on
// problem lines, jump-to-line with a highlight band, Tab inserting two spaces (Esc then Tab leaves).
// No editor library: the builder has no build step and the CSP allows no inline styles, so
// positions are set through the CSSOM only.

const INDENT = "  ";

export function createEditor(root) {
  const area = root.querySelector(".json-text");
  const gutter = root.querySelector(".json-gutter");
  const band = root.querySelector(".json-band");
  const numbers = document.createElement("div");
  gutter.append(numbers);
  let marks = new Map(); // line -> messages
  let bandLine = null;
  let escaped = false;

  const lineHeight = () => parseFloat(getComputedStyle(area).lineHeight) || 20;
  const padTop = () => parseFloat(getComputedStyle(area).paddingTop) || 0;

  let drawn = -1; // line count the gutter was drawn for; marks redraw it regardless

  function renderGutter(force = true) {
    const count = area.value.split("\n").length;
    if (!force && count === drawn) return;
    drawn = count;
    const rows = [];
    for (let line = 1; line <= count; line += 1) {
      const row = document.createElement("div");
      row.textContent = String(line);
      if (marks.has(line)) {
        row.className = "json-bad";
        row.title = marks.get(line).join("\n");
        row.dataset.line = String(line);
      }
      rows.push(row);
    }
    numbers.replaceChildren(...rows);
    syncScroll();
  }

  function syncScroll() {
    numbers.style.transform = `translateY(${-area.scrollTop}px)`;
    if (bandLine !== null) {
      band.style.transform = `translateY(${padTop() + (bandLine - 1) * lineHeight() - area.scrollTop}px)`;
    }
  }

  function jumpTo(line, col = 1) {
    const lines = area.value.split("\n");
    const target = Math.min(Math.max(line, 1), lines.length);
    const start = lines.slice(0, target - 1).reduce((sum, text) => sum + text.length + 1, 0);
    area.focus({ preventScroll: true });
    area.setSelectionRange(start + col - 1, start + col - 1);
    area.scrollTop = Math.max(0, (target - 1) * lineHeight() - area.clientHeight / 3);
    bandLine = target;
    band.classList.remove("d-none");
    syncScroll();
  }

  function setMarks(problems) {
    marks = new Map();
    for (const p of problems) {
      if (!p.line) continue;
      marks.set(p.line, [...(marks.get(p.line) || []), p.message]);
    }
    renderGutter();
  }

  function clearBand() {
    bandLine = null;
    band.classList.add("d-none");
  }

  area.addEventListener("scroll", syncScroll);
  area.addEventListener("input", () => {
    clearBand();
    renderGutter(false); // typing within a line leaves the gutter as it is
  });
  area.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      escaped = true;
      return;
    }
    if (event.key === "Tab" && !escaped && !event.shiftKey && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      area.setRangeText(INDENT, area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input"));
    }
    escaped = false;
  });
  gutter.addEventListener("click", (event) => {
    const bad = event.target.closest("[data-line]");
    if (bad) jumpTo(Number(bad.dataset.line));
  });
  renderGutter();

  return {
    get text() { return area.value; },
    set text(value) {
      area.value = value;
      clearBand();
      renderGutter();
    },
    onInput(handler) { area.addEventListener("input", handler); },
    setMarks,
    jumpTo,
    clearBand,
  };
}
