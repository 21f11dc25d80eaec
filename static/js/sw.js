// metacrm service worker, served at /sw.js (scope /) by runtime/web/pwa.py.
//
// Static files: cache-first, in a cache named after a hash of static/, so a
// deployment that changes any static file gets a fresh cache.
// Pages: network-first; a page opened before is shown from the cache when the
// network is down, any other page gets the offline page.
// Never cached: anything but GET (form posts go to the network or the page's
// offline queue, see offline-drafts.js) and the REST API.

// The server fills these two in when it serves this file:
const VERSION = "dev";
const PRECACHE = [];

const STATIC_CACHE = `metacrm-static-${VERSION}`;
const PAGES_CACHE = `metacrm-pages-${VERSION}`;
const OFFLINE_URL = PRECACHE.find((url) => url.endsWith("/offline")) || "/offline";
const MAX_PAGES = 50; // pages hold record data: keep only the most recent ones

self.addEventListener("install", (event) => {
  // credentials "omit": the shell, the offline page included, must not carry one user's name.
  const requests = PRECACHE.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(
    caches.open(STATIC_CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("metacrm-") && name !== STATIC_CACHE && name !== PAGES_CACHE)
          .map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    // Signing out must not leave the last user's pages readable offline.
    if (request.method === "POST" && url.pathname.endsWith("/logout")) {
      event.waitUntil(caches.delete(PAGES_CACHE));
    }
    return;
  }
  if (url.pathname.startsWith("/api/")) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(event));
  }
});

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: STATIC_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    // Stored after the page is handed over, so caching never slows a navigation.
    if (isCacheablePage(response)) event.waitUntil(remember(request, response.clone()));
    return response;
  } catch (error) {
    const cached = await caches.match(request, { cacheName: PAGES_CACHE });
    return cached || caches.match(OFFLINE_URL, { cacheName: STATIC_CACHE });
  }
}

function isCacheablePage(response) {
  // A redirected response cannot answer a later navigation, and error pages are not worth keeping.
  const type = response.headers.get("Content-Type") || "";
  return response.status === 200 && !response.redirected && type.startsWith("text/html");
}

async function remember(request, response) {
  const cache = await caches.open(PAGES_CACHE);
  await cache.delete(request); // re-adding moves the page to the end of the keys (newest)
  await cache.put(request, response);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((key) => cache.delete(key)));
}
