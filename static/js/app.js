// Behaviour every page shares: option colours from metadata, confirmations, clickable rows.
// (No inline scripts or styles: the CSP forbids them, so colours are set through the CSSOM.)

function paintOptions(root) {
  for (const badge of root.querySelectorAll("[data-color]")) {
    const color = badge.dataset.color;
    if (/^#[0-9a-fA-F]{3,8}$/.test(color)) {
      badge.style.backgroundColor = color;
      badge.style.color = readableOn(color);
    }
  }
}

function readableOn(hex) {
  const full = hex.length === 4 ? "#" + [...hex.slice(1)].map((c) => c + c).join("") : hex.slice(0, 7);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16));
  return (r * 299 + g * 587 + b * 114) / 1000 > 150 ? "#1b1f24" : "#ffffff";
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  const row = event.target.closest("tr[data-href]");
  if (!row || event.target.closest("a, button, input, label, select")) return;
  window.location.assign(row.dataset.href);
});

paintOptions(document);
export { paintOptions };
