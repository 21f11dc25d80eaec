// Drafts and queued form submissions, kept in IndexedDB (it stores Blobs, so
// queued file uploads survive a reload; localStorage could not).
//
// drafts: {id: "<user>|<form key>", user, key, page, values: [[name, value]...], titles: {name: title},
//          files_dropped (a chosen file was left out), saved_at, attention?}
// queue:  {id (auto), user, key, page, action, method, entries: [[name, value|Blob]...], titles, queued_at}
//
// Every write announces itself ("metacrm:offline-change" on window, and on a
// BroadcastChannel for other tabs) so badges and notes stay current.

const DB_NAME = "metacrm-offline";
const CHANGE_EVENT = "metacrm:offline-change";
const channel = "BroadcastChannel" in self ? new BroadcastChannel(DB_NAME) : null;

let opening = null;

function database() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("drafts", { keyPath: "id" });
      request.result.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

async function run(storeName, mode, operation) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const request = operation(tx.objectStore(storeName));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

async function write(storeName, operation) {
  const result = await run(storeName, "readwrite", operation);
  announce();
  return result;
}

function announce() {
  window.dispatchEvent(new CustomEvent(CHANGE_EVENT));
  channel?.postMessage("change");
}

export function onChange(listener) {
  window.addEventListener(CHANGE_EVENT, listener);
  channel?.addEventListener("message", listener);
}

export const draftId = (user, key) => `${user}|${key}`;
export const getDraft = (user, key) => run("drafts", "readonly", (s) => s.get(draftId(user, key)));
export const listDrafts = () => run("drafts", "readonly", (s) => s.getAll());
export const saveDraft = (draft) => write("drafts", (s) => s.put({ ...draft, id: draftId(draft.user, draft.key) }));
export const deleteDraft = (user, key) => write("drafts", (s) => s.delete(draftId(user, key)));

export const listQueue = () => run("queue", "readonly", (s) => s.getAll());
export const enqueue = (item) => write("queue", (s) => s.add(item));
export const dequeue = (id) => write("queue", (s) => s.delete(id));
