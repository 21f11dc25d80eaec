// Replays form submissions queued while offline, once the network is back.
//
// A replay is a plain fetch POST with the saved entries (csrf_token included),
// following redirects. It counts as saved when the final response is 2xx and is
// not the form again: the server redirects to the record after a save and
// re-renders the form (422) when the input needs changes. A refused entry goes
// back to being a draft marked for attention, so nothing typed is lost.

import * as store from "./offline-store.js";

const RETRY_MS = 30_000;
const REPLAYED_EVENT = "metacrm:offline-replayed";

let config = { user: "", loginPath: "/login" };
let running = null;

export function startSync(options) {
  config = options;
  window.addEventListener("online", syncNow);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && syncNow());
  setInterval(syncNow, RETRY_MS);
  syncNow();
}

// listener({key, outcome: "sent" | "attention", url}) after each replayed submission.
export function onReplayed(listener) {
  window.addEventListener(REPLAYED_EVENT, (event) => listener(event.detail));
}

// One replay at a time: the Web Lock spans tabs, `running` covers browsers without it.
export function syncNow() {
  if (!navigator.onLine || running) return running;
  const replay = navigator.locks
    ? navigator.locks.request("metacrm-offline-sync", { ifAvailable: true }, (lock) => lock && replayQueue())
    : replayQueue();
  running = replay.finally(() => { running = null; });
  return running;
}

async function replayQueue() {
  // Only the signed-in user's own entries: their csrf_token and session belong to them.
  const items = (await store.listQueue()).filter((item) => item.user === config.user);
  for (const item of items) {
    const outcome = await send(item);
    if (outcome === "retry") return; // offline or server trouble: the next trigger tries again
    if (outcome === "attention") await backToDraft(item); // before dequeue: never lose both
    await store.dequeue(item.id);
    const detail = { key: item.key, outcome: outcome.url ? "sent" : "attention", url: outcome.url };
    window.dispatchEvent(new CustomEvent(REPLAYED_EVENT, { detail }));
  }
}

async function send(item) {
  let response = await post(item, item.entries);
  if (response?.status === 400) {
    // Most likely a csrf_token from an older session: take a fresh one from the form page, once.
    const token = await freshToken(item);
    if (!token) return "retry";
    response = await post(item, item.entries.map(([k, v]) => [k, k === "csrf_token" ? token : v]));
  }
  return response ? classify(item, response) : "retry";
}

async function post(item, entries) {
  const body = new FormData();
  for (const [name, value] of entries) body.append(name, value);
  try {
    return await fetch(item.action, {
      method: item.method, body, credentials: "same-origin", redirect: "follow",
    });
  } catch (networkError) {
    return null;
  }
}

function classify(item, response) {
  const url = withoutHash(response.url);
  if (new URL(url).pathname === config.loginPath) return "retry"; // signed out: wait for sign-in
  if (response.ok && url !== withoutHash(item.page) && url !== withoutHash(item.action)) return { url };
  if (response.status >= 500 || response.status === 408 || response.status === 429) return "retry";
  return "attention";
}

async function freshToken(item) {
  try {
    const response = await fetch(item.page, { credentials: "same-origin" });
    if (!response.ok || new URL(response.url).pathname === config.loginPath) return null;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    return doc.querySelector('input[name="csrf_token"]')?.value || null;
  } catch (networkError) {
    return null;
  }
}

function backToDraft(item) {
  const values = item.entries.filter(([name, value]) => name !== "csrf_token" && typeof value === "string");
  const files_dropped = item.entries.some(([, value]) => value instanceof File && value.name !== "");
  return store.saveDraft({
    user: item.user, key: item.key, page: item.page, values, titles: item.titles, files_dropped,
    saved_at: item.queued_at, attention: { at: new Date().toISOString() },
  });
}

const withoutHash = (url) => url.split("#")[0];
