// Commune autocomplete for the address partial: suggestions from /api/v1/communes in a native
// <datalist> (accessible by default), and the hidden code_insee/lat/lng set when one is chosen.
// Without JavaScript the server resolves what was typed.
(() => {
  const DEBOUNCE_MS = 250;

  function setup(input) {
    if (input.dataset.communeReady) return;
    input.dataset.communeReady = '1';
    const list = document.getElementById(input.getAttribute('list'));
    const code = document.getElementById(input.dataset.codeInput);
    const lat = document.getElementById(input.dataset.latInput);
    const lng = document.getElementById(input.dataset.lngInput);
    const status = input.parentElement.querySelector('[data-commune-status]');
    const known = new Map();
    let timer = null;
    let controller = null;
    let lastQuery = '';

    function choose(item) {
      if (code.value === item.code_insee) return;
      code.value = item.code_insee;
      lat.value = String(item.lat);
      lng.value = String(item.lng);
      input.dispatchEvent(new CustomEvent('commune:selected', { bubbles: true, detail: item }));
      if (status) status.textContent = `Commune choisie : ${item.label}.`;
    }

    function render(items) {
      list.replaceChildren();
      for (const item of items) {
        known.set(item.label, item);
        const option = document.createElement('option');
        option.value = item.label;
        const groups = [item.ept?.name, item.epci?.name].filter(Boolean);
        if (groups.length) option.label = `${item.label} — ${groups.join(', ')}`;
        list.append(option);
      }
      if (status)
        status.textContent = items.length
          ? `${items.length} commune${items.length > 1 ? 's' : ''} proposée${items.length > 1 ? 's' : ''}.`
          : 'Aucune commune ne correspond.';
    }

    async function search(query) {
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`/api/v1/communes?q=${encodeURIComponent(query)}&limit=8`, {
          signal: controller.signal,
          headers: { Accept: 'application/json' },
        });
        if (!response.ok) return;
        const body = await response.json();
        render(body.items || []);
        const exact = known.get(input.value);
        if (exact) choose(exact);
      } catch (error) {
        if (error.name !== 'AbortError') console.warn('commune autocomplete', error);
      }
    }

    input.addEventListener('input', () => {
      const value = input.value.trim();
      const picked = known.get(input.value);
      if (picked) {
        choose(picked);
        return;
      }
      // The text no longer names the chosen commune: the server will resolve it.
      if (code.value) {
        code.value = '';
        lat.value = '';
        lng.value = '';
      }
      clearTimeout(timer);
      if (value.length < 2 || value === lastQuery) return;
      timer = setTimeout(() => {
        lastQuery = value;
        search(value);
      }, DEBOUNCE_MS);
    });
    input.addEventListener('change', () => {
      const picked = known.get(input.value);
      if (picked) choose(picked);
    });
  }

  function init(root) {
    for (const input of root.querySelectorAll('[data-commune-input][list]')) setup(input);
  }

  document.addEventListener('DOMContentLoaded', () => init(document));
  document.addEventListener('htmx:load', (event) => init(event.target));
})();
