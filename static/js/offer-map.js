// Small map of the offer page: the place of the activity, or the partner's base with its travel
// radius. The text next to it says the same; without JavaScript the map stays hidden.
(() => {
  function setup(element) {
    if (element.dataset.mapReady || typeof L === 'undefined') return;
    element.dataset.mapReady = '1';
    const lat = Number(element.dataset.lat);
    const lng = Number(element.dataset.lng);
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) return;
    element.hidden = false;
    const body = document.body.dataset;
    const map = L.map(element, { maxZoom: 18, scrollWheelZoom: false, keyboard: false }).setView([lat, lng], 13);
    L.tileLayer(body.tileUrl, { attribution: body.tileAttribution, maxZoom: 18 }).addTo(map);
    L.marker([lat, lng], { keyboard: false, alt: element.dataset.label || '' }).addTo(map);
    const radiusKm = Number(element.dataset.radiusKm);
    if (radiusKm > 0) {
      const circle = L.circle([lat, lng], { radius: radiusKm * 1000, color: '#3a2d8f', weight: 2, fillOpacity: 0.08 }).addTo(map);
      map.fitBounds(circle.getBounds(), { padding: [10, 10] });
    }
    setTimeout(() => map.invalidateSize(), 0);
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const element of document.querySelectorAll('[data-offer-map]')) window.whenMapVisible?.(element, setup);
  });
})();
