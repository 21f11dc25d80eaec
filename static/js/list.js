// The list screen: filter rows (add, remove, operators that fit the field), bulk selection, columns.

const filterBox = document.querySelector("[data-filter-rows]");

function fitOperators(row) {
  const fieldSelect = row.querySelector(".filter-field");
  const opSelect = row.querySelector(".filter-op");
  const valueInput = row.querySelector(".filter-value");
  const kind = fieldSelect.selectedOptions[0]?.dataset.kind || "";
  let firstFit = null;
  for (const option of opSelect.options) {
    const fits = !kind || option.dataset.kinds.split(" ").includes(kind);
    option.hidden = !fits;
    option.disabled = !fits;
    if (fits && !firstFit) firstFit = option;
  }
  if (opSelect.selectedOptions[0]?.disabled && firstFit) firstFit.selected = true;
  const needsValue = opSelect.selectedOptions[0]?.dataset.needsValue === "1";
  valueInput.hidden = !needsValue;
  valueInput.type = kind === "date" ? "date" : kind === "number" ? "text" : "text";
}

if (filterBox) {
  const rows = () => [...filterBox.querySelectorAll("[data-filter-row]")];
  rows().forEach(fitOperators);
  filterBox.addEventListener("change", (event) => {
    const row = event.target.closest("[data-filter-row]");
    if (row) fitOperators(row);
  });
  filterBox.addEventListener("click", (event) => {
    if (event.target.closest("[data-add-filter]")) {
      const last = rows().at(-1);
      const copy = last.cloneNode(true);
      copy.querySelectorAll("select, input").forEach((el) => { el.value = ""; });
      last.after(copy);
      fitOperators(copy);
    }
    const remove = event.target.closest("[data-remove-filter]");
    if (remove) {
      const row = remove.closest("[data-filter-row]");
      if (rows().length > 1) row.remove();
      else row.querySelectorAll("select, input").forEach((el) => { el.value = ""; });
    }
  });
}

const bulkForm = document.querySelector("[data-bulk]");
if (bulkForm) {
  const bar = bulkForm.querySelector("[data-bulk-bar]");
  const count = bulkForm.querySelector("[data-bulk-count]");
  const update = () => {
    const ids = new Set([...bulkForm.querySelectorAll("input[name=ids]:checked")].map((box) => box.value));
    count.textContent = String(ids.size);
    bar.hidden = ids.size === 0;
  };
  bulkForm.addEventListener("change", (event) => {
    if (event.target.matches("[data-select-all]")) {
      const visible = [...bulkForm.querySelectorAll("input[name=ids]")].filter((box) => box.offsetParent !== null);
      visible.forEach((box) => { box.checked = event.target.checked; });
    }
    update();
  });
  update();
}

const columnsForm = document.querySelector("[data-columns-form]");
if (columnsForm) {
  columnsForm.addEventListener("submit", () => {
    const chosen = [...columnsForm.querySelectorAll("[data-column]:checked")].map((box) => box.value);
    columnsForm.querySelector("[data-columns-value]").value = chosen.join(",");
  });
}
