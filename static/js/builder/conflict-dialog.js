// The "someone else saved first" dialog of the entity and form designers (templates/builder/
// _conflict.html). Each designer draws its own view of the two versions; this shows them side by
// side and waits for the admin: keep mine (save over theirs) or take theirs (drop my changes).

/** Show the two drawn versions; resolves to "mine", "theirs" or null (closed without choosing). */
export function chooseVersion(dialog, theirs, yours) {
  dialog.querySelector("[data-conflict-theirs]").replaceChildren(theirs);
  dialog.querySelector("[data-conflict-yours]").replaceChildren(yours);
  const modal = window.bootstrap.Modal.getOrCreateInstance(dialog);
  return new Promise((resolve) => {
    let choice = null;
    const pick = (value) => () => { choice = value; modal.hide(); };
    const mine = dialog.querySelector("[data-keep-mine]");
    const other = dialog.querySelector("[data-take-theirs]");
    const onMine = pick("mine");
    const onTheirs = pick("theirs");
    mine.addEventListener("click", onMine, { once: true });
    other.addEventListener("click", onTheirs, { once: true });
    dialog.addEventListener("hidden.bs.modal", () => {
      mine.removeEventListener("click", onMine);
      other.removeEventListener("click", onTheirs);
      resolve(choice);
    }, { once: true });
    modal.show();
  });
}
