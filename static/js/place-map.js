// A small read-only map showing one place (organisation and ACM pages). The address written next
// to it is the accessible equivalent; without JavaScript the map stays hidden.
(() => {
  function setup(element) {
    if (element.dataset.mapReady || typeof L === 'undefined') return;
    element.dataset.mapReady = '1';
    const lat = Number(element.dataset.lat);
    const lng = Number(element.dataset.lng);
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) return;
    element.hidden = false;
    const body = document.body.dataset;
    const map = L.map(element, { maxZoom: 18, scrollWheelZoom: false, keyboard: false }).setView([lat, lng], 14);
    L.tileLayer(body.tileUrl, { attribution: body.tileAttribution, maxZoom: 18 }).addTo(map);
    L.marker([lat, lng], { keyboard: false, alt: element.dataset.label || '' }).addTo(map);
    setTimeout(() => map.invalidateSize(), 0);
  }

  function init(root) {
    for (const element of root.querySelectorAll('[data-place-map]')) window.whenMapVisible?.(element, setup);
  }

  document.addEventListener('DOMContentLoaded', () => init(document));
  document.addEventListener('htmx:load', (event) => init(event.target));
})();
