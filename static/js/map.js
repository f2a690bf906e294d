// Offers map (search page, /carte, territory pages): Leaflet with clusters computed by the
// server (/api/v1/map) when zoomed out, markers with popups linking to the offers, "Rechercher
// dans cette zone", list ↔ map highlighting and, on demand, the travel areas of the offers that
// come to the ACM. The result list stays the accessible equivalent of the map.
(() => {
  let current = null;
  let pending = null;

  // Leaflet arrives when the map comes near the screen; only the latest element is set up.
  function start(element) {
    if (element === pending) return;
    pending = element;
    window.whenMapVisible(element, () => {
      if (pending !== element) return;
      pending = null;
      current = setup(element);
    });
  }

  // htmx history restores replace the page body: set the map up again on the new element.
  document.addEventListener('htmx:afterSettle', () => {
    const element = document.getElementById('offers-map');
    if (element && element !== current?.element) start(element);
    else current?.refresh();
  });
  const first = document.getElementById('offers-map');
  if (first) start(first);

  function setup(element) {
    const L = window.L;
    const FRANCE = [
      [41.3, -5.2],
      [51.1, 9.6],
    ];
    const map = L.map(element, { maxZoom: 18, minZoom: 3, scrollWheelZoom: element.dataset.map === 'full' });
    L.tileLayer(document.body.dataset.tileUrl, { attribution: document.body.dataset.tileAttribution, maxZoom: 18 }).addTo(map);
    const clusters = L.layerGroup().addTo(map);
    const points = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 }) : L.layerGroup();
    points.addTo(map);
    const areas = L.layerGroup().addTo(map);
    const markers = new Map();
    const form = document.getElementById('search-form');
    const searchHere = document.getElementById('map-search-here');
    const travel = document.getElementById('map-travel');
    let apiQuery = element.dataset.apiQuery || '';
    let controller = null;
    let timer = null;
    let programmatic = false;

    function param(query, name) {
      return new URLSearchParams(query).get(name);
    }

    function fitQuery(query) {
      programmatic = true;
      const bbox = param(query, 'bbox') || element.dataset.bounds;
      const near = param(query, 'near');
      if (bbox) {
        const [w, s, e, n] = bbox.split(',').map(Number);
        map.fitBounds([
          [s, w],
          [n, e],
        ]);
      } else if (near) {
        const [lat, lng] = near.split(',').map(Number);
        const radius = Number(param(query, 'radius_km') || 20);
        map.fitBounds(L.latLng(lat, lng).toBounds(radius * 2000));
      } else {
        map.fitBounds(FRANCE);
      }
      setTimeout(() => {
        programmatic = false;
      }, 500);
    }

    function bboxOf(bounds) {
      const round = (v) => Math.round(v * 10000) / 10000;
      const w = Math.max(-180, round(bounds.getWest()));
      const e = Math.min(180, round(bounds.getEast()));
      const s = Math.max(-90, round(bounds.getSouth()));
      const n = Math.min(90, round(bounds.getNorth()));
      return `${w},${s},${e},${n}`;
    }

    // The card of the list gives the thumbnail at once; otherwise it is asked for and shown once loaded (most offers have none).
    function popupThumb(p, marker) {
      if (p.kind === 'organisation') return null;
      const card = document.getElementById(`offre-${p.id}`);
      const img = document.createElement('img');
      img.className = 'map-popup-thumb';
      img.alt = '';
      img.width = 160;
      img.height = 107;
      if (card?.dataset.thumb) {
        img.src = card.dataset.thumb;
        return img;
      }
      if (card) return null;
      img.hidden = true;
      img.addEventListener('load', () => {
        img.hidden = false;
        marker.getPopup()?.update();
      });
      img.addEventListener('error', () => img.remove());
      img.src = `/offres/${p.id}/vignette`;
      return img;
    }

    function popupContent(p, marker) {
      const wrapper = document.createElement('div');
      const thumb = popupThumb(p, marker);
      if (thumb) wrapper.append(thumb);
      const link = document.createElement('a');
      link.href = p.path;
      link.textContent = p.title;
      const strong = document.createElement('strong');
      strong.append(link);
      const org = document.createElement('p');
      org.textContent = p.organisation + (p.travel_km ? ` — se déplace jusqu’à ${p.travel_km} km` : '');
      wrapper.append(strong, org);
      return wrapper;
    }

    function render(collection) {
      let shown = 0;
      clusters.clearLayers();
      points.clearLayers();
      areas.clearLayers();
      markers.clear();
      for (const feature of collection.features) {
        const [lng, lat] = feature.geometry.coordinates;
        const p = feature.properties;
        shown += p.cluster ? p.count : 1;
        if (p.cluster) {
          const size = p.count < 10 ? 'small' : p.count < 100 ? 'medium' : 'large';
          const label = `${p.count} offres`;
          const icon = L.divIcon({ html: `<span>${p.count}</span>`, className: `marker-cluster marker-cluster-${size} server-cluster`, iconSize: [40, 40] });
          const marker = L.marker([lat, lng], { icon, title: `${label} : zoomer`, alt: label, keyboard: true });
          marker.on('click', () => {
            const [w, s, e, n] = p.bbox;
            map.fitBounds(
              [
                [s, w],
                [n, e],
              ],
              { maxZoom: map.getZoom() + 3 },
            );
          });
          clusters.addLayer(marker);
        } else {
          // Coloured by the offer's first theme (legend on /carte).
          const options = { title: p.title, alt: p.title, keyboard: true };
          if (p.theme)
            options.icon = L.divIcon({
              html: '<span></span>',
              className: `theme-pin theme-${p.theme}`,
              iconSize: [26, 30],
              iconAnchor: [13, 30],
              popupAnchor: [0, -28],
            });
          const marker = L.marker([lat, lng], options);
          marker.bindPopup(() => popupContent(p, marker));
          marker.on('click', () => highlightCard(p.id));
          markers.set(String(p.id), marker);
          points.addLayer(marker);
          if (travel?.checked && p.travel_km) {
            areas.addLayer(L.circle([lat, lng], { radius: p.travel_km * 1000, weight: 1, color: '#0f6e5c', fillOpacity: 0.06, interactive: false }));
          }
        }
      }
      // How many results the map shows, and for which filters: the list must say the same.
      element.dataset.shown = String(shown);
    }

    async function load() {
      const params = new URLSearchParams(apiQuery);
      params.delete('bbox');
      params.delete('page');
      params.delete('sort');
      params.set('bbox', bboxOf(map.getBounds()));
      params.set('zoom', String(map.getZoom()));
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`${element.dataset.endpoint || '/api/v1/map'}?${params}`, {
          signal: controller.signal,
          headers: { Accept: 'application/geo+json, application/json' },
        });
        if (!response.ok) return;
        render(await response.json());
        element.dataset.query = apiQuery;
        element.dataset.loaded = String(Date.now());
      } catch (error) {
        if (error.name !== 'AbortError') console.warn('map', error);
      }
    }

    function highlightCard(id) {
      for (const card of document.querySelectorAll('.offer-card.is-highlighted')) card.classList.remove('is-highlighted');
      const card = document.getElementById(`offre-${id}`);
      if (!card) return;
      card.classList.add('is-highlighted');
      card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }

    function bindCards() {
      for (const card of document.querySelectorAll('.offer-card[data-offer-id]')) {
        if (card.dataset.mapBound) continue;
        card.dataset.mapBound = '1';
        const show = () => {
          const marker = markers.get(card.dataset.offerId);
          if (marker) {
            const parent = points.getVisibleParent ? points.getVisibleParent(marker) : marker;
            (parent || marker).getElement()?.classList.add('marker-highlighted');
          } else if (card.dataset.lat) {
            areas.addLayer(
              L.circleMarker([Number(card.dataset.lat), Number(card.dataset.lng)], { radius: 12, color: '#ffbf47', weight: 4, className: 'card-focus' }),
            );
          }
        };
        const hide = () => {
          for (const el of element.querySelectorAll('.marker-highlighted')) el.classList.remove('marker-highlighted');
          areas.eachLayer((layer) => {
            if (layer.options.className === 'card-focus') areas.removeLayer(layer);
          });
        };
        card.addEventListener('mouseenter', show);
        card.addEventListener('mouseleave', hide);
        card.addEventListener('focusin', show);
        card.addEventListener('focusout', hide);
      }
    }

    map.on('moveend', () => {
      clearTimeout(timer);
      timer = setTimeout(load, 150);
      if (searchHere && !programmatic) searchHere.hidden = false;
    });

    if (searchHere && form) {
      searchHere.addEventListener('click', () => {
        document.getElementById('f-bbox').value = bboxOf(map.getBounds());
        searchHere.hidden = true;
        programmatic = true;
        form.requestSubmit();
        setTimeout(() => {
          programmatic = false;
        }, 800);
      });
    }
    // The travel-areas box sits inside the search form: its change must not resubmit the search.
    travel?.addEventListener('change', (event) => {
      event.stopPropagation();
      load();
    });

    // After htmx replaced the results: follow the new filters (and the new place, if it changed).
    function refresh() {
      const results = document.getElementById('search-results');
      if (!results) return;
      const query = results.dataset.mapQuery || '';
      const placeChanged = param(query, 'near') !== param(apiQuery, 'near') || (param(query, 'bbox') === null && param(apiQuery, 'bbox') !== null);
      apiQuery = query;
      const bbox = document.getElementById('f-bbox');
      if (bbox) bbox.value = param(query, 'bbox') || '';
      if (placeChanged && !param(query, 'bbox')) fitQuery(query);
      else load();
      bindCards();
    }

    fitQuery(apiQuery);
    load();
    bindCards();
    return { element, refresh };
  }
})();
