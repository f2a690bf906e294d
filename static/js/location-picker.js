// Exact point for the address partial: a Leaflet map with a draggable pin that writes the hidden
// lat/lng inputs. The map appears only with JavaScript; keyboard users can skip it, or focus the
// pin and move it with the arrow keys. The pin starts on the stored point or the commune centroid.
(() => {
  const FRANCE = [46.6, 2.4];
  const STEP = 0.0005;

  function setup(container) {
    if (container.dataset.pickerReady || typeof L === 'undefined') return;
    container.dataset.pickerReady = '1';
    container.hidden = false;
    const lat = document.getElementById(container.dataset.latInput);
    const lng = document.getElementById(container.dataset.lngInput);
    const commune = document.getElementById(container.dataset.communeInput);
    const status = container.querySelector('[data-location-status]');
    const body = document.body.dataset;
    const start = Number(lat.value) && Number(lng.value) ? [Number(lat.value), Number(lng.value)] : null;

    const map = L.map(container.dataset.mapId, { maxZoom: 18, scrollWheelZoom: false }).setView(start || FRANCE, start ? 15 : 5);
    L.tileLayer(body.tileUrl, { attribution: body.tileAttribution, maxZoom: 18 }).addTo(map);
    let marker = null;

    function write(latlng, message) {
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      if (status) status.textContent = message || `Repère placé (${latlng.lat.toFixed(5)}, ${latlng.lng.toFixed(5)}).`;
    }

    function place(latlng, zoom) {
      if (!marker) {
        marker = L.marker(latlng, {
          draggable: true,
          keyboard: true,
          alt: 'Repère de l’emplacement : flèches pour le déplacer',
          title: 'Emplacement exact',
        }).addTo(map);
        marker.on('dragend', () => write(marker.getLatLng()));
        marker.on('add', bindKeys);
        bindKeys();
      } else {
        marker.setLatLng(latlng);
      }
      if (zoom) map.setView(latlng, zoom);
    }

    function bindKeys() {
      const element = marker?.getElement();
      if (!element || element.dataset.keysReady) return;
      element.dataset.keysReady = '1';
      element.addEventListener('keydown', (event) => {
        const moves = { ArrowUp: [STEP, 0], ArrowDown: [-STEP, 0], ArrowLeft: [0, -STEP], ArrowRight: [0, STEP] };
        const move = moves[event.key];
        if (!move) return;
        event.preventDefault();
        const current = marker.getLatLng();
        const next = L.latLng(current.lat + move[0], current.lng + move[1]);
        marker.setLatLng(next);
        write(next);
      });
    }

    if (start) place(L.latLng(start[0], start[1]));
    map.on('click', (event) => {
      place(event.latlng);
      write(event.latlng);
    });
    if (commune) {
      commune.addEventListener('commune:selected', (event) => {
        const item = event.detail;
        place(L.latLng(item.lat, item.lng), 14);
        if (status) status.textContent = `Repère placé au centre de ${item.name}. Déplacez-le si besoin.`;
      });
    }
    // The container was hidden until now: let Leaflet measure it.
    setTimeout(() => map.invalidateSize(), 0);
  }

  function init(root) {
    for (const container of root.querySelectorAll('[data-location-picker]')) window.whenMapVisible?.(container, setup);
  }

  document.addEventListener('DOMContentLoaded', () => init(document));
  document.addEventListener('htmx:load', (event) => init(event.target));
})();
