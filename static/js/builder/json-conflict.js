// The conflict panel of the JSON view: theirs and yours side by side as pretty JSON, with the
// lines that only one side has highlighted (compared as sets, so key order does not matter).

export function pretty(value) {
  return value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
}

const bare = (line) => line.trim().replace(/,$/, "");

function fill(pane, text, other) {
  const seen = new Set(other.split("\n").map(bare));
  pane.replaceChildren(...text.split("\n").map((line) => {
    const row = document.createElement("span");
    row.className = seen.has(bare(line)) ? "json-row" : "json-row json-differs";
    row.textContent = line || " ";
    return row;
  }));
}

export function showConflict(panel, theirs, yours) {
  let mine = yours;
  try {
    mine = pretty(JSON.parse(yours));
  } catch {
    // not valid JSON yet: show it as typed
  }
  fill(panel.querySelector('[data-pane="theirs"]'), theirs, mine);
  fill(panel.querySelector('[data-pane="yours"]'), mine, theirs);
  panel.classList.remove("d-none");
  panel.scrollIntoView({ block: "nearest" });
}

export function hideConflict(panel) {
  panel.classList.add("d-none");
}
