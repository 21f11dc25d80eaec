// The pending-sync badge (#pwa-status, from web/_pwa_scripts.html) on every page.
//
// "Pending sync N" counts every queued submission of this browser (the queue is
// per origin); "Needs attention N" counts this user's drafts the server refused
// on replay and links to the first one's form, which restores it.

import { t } from "./i18n.js";
import * as store from "./offline-store.js";

export function startBadge(root, user) {
  // The top bar (signed-in pages) has room before the account menu; elsewhere the badge stays fixed.
  const bar = document.querySelector(".app-navbar > .container-xl");
  bar?.insertBefore(root, bar.querySelector(":scope > .dropdown"));
  const refresh = () => render(root, user).catch((error) => console.warn("metacrm: badge", error));
  store.onChange(refresh);
  refresh();
}

async function render(root, user) {
  const [queue, drafts] = await Promise.all([store.listQueue(), store.listDrafts()]);
  const refused = drafts.filter((draft) => draft.attention && draft.user === user);
  const pending = root.querySelector("[data-sync=pending]");
  const attention = root.querySelector("[data-sync=attention]");
  show(pending, queue.length);
  pending.title = queue.length === 1
    ? t("{n} form entry saved on this device, waiting to be sent", { n: 1 })
    : t("{n} form entries saved on this device, waiting to be sent", { n: queue.length });
  show(attention, refused.length);
  attention.href = refused.length ? sameOrigin(refused[0].page) : "#";
  root.hidden = !queue.length && !refused.length;
}

function show(chip, count) {
  chip.hidden = count === 0;
  chip.querySelector("[data-count]").textContent = String(count);
}

function sameOrigin(page) {
  const url = new URL(page, location.href);
  return url.origin === location.origin ? url.href : "#";
}
