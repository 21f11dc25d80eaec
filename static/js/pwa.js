// Registers the service worker (static files and recent pages offline, see
// sw.js) and wires the offline page's "Try again" button.

const root = document.getElementById("pwa-status");

// Missing on plain-http hosts other than localhost: the site then works as before, just not offline.
if (root && "serviceWorker" in navigator) {
  navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.swScope })
    .catch((error) => console.warn("metacrm: service worker not registered", error));
}

// The offline page stands in for whatever URL failed, so reloading retries that URL.
for (const retry of document.querySelectorAll("[data-pwa-retry]")) {
  retry.addEventListener("click", () => location.reload());
}
