// The sheet wizard's field table: options only for select fields, and a note that the preview is stale.
const form = document.getElementById("sheet-form");

function update(select) {
  const row = select.closest("[data-sheet-row]");
  const isSelect = select.value === "select";
  row.querySelector("[data-sheet-options]").classList.toggle("d-none", !isSelect);
  row.querySelector("[data-sheet-no-options]")?.classList.toggle("d-none", isSelect);
  row.classList.toggle("sheet-skipped", select.value === "skip");
}

if (form) {
  form.addEventListener("change", (event) => {
    if (!event.target.matches("[data-sheet-type]")) return;
    update(event.target);
    form.querySelector("[data-sheet-stale]")?.classList.remove("d-none");
  });
}
