// Search page: the form updates the results with htmx (see views/pages/catalogue/search.eta);
// this file drops empty fields from the URL, keeps the page number coherent and fills the
// "Autour de" suggestions from /api/v1/communes. Without JavaScript the form is a plain GET.
// Listeners are delegated: htmx history restores replace the form.
(() => {
  if (!document.getElementById('search-form')) return;

  // Empty fields make noisy URLs (q=&age=…): leave them out of htmx requests.
  document.addEventListener('htmx:configRequest', (event) => {
    if (event.detail.elt.id !== 'search-form') return;
    const params = event.detail.parameters;
    const entries = params instanceof FormData ? [...params.entries()] : Object.entries(params);
    const keep = new FormData();
    let hasPlace = false;
    for (const [key, value] of entries) {
      for (const v of [].concat(value)) {
        if (typeof v === 'string' && v.trim() === '') continue;
        if (key === 'near' || key === 'lieu' || key === 'accueil' || key === 'structure') hasPlace = true;
        keep.append(key, v);
      }
    }
    if (!hasPlace) keep.delete('radius_km');
    if (keep.get('sort') === 'relevance') keep.delete('sort');
    event.detail.parameters = keep;
  });

  // "Autour de": suggestions from the communes API; choosing one sets the exact point.
  const known = new Map();
  let timer = null;
  const elements = () => {
    const place = document.getElementById('f-lieu');
    return { place, near: document.getElementById('f-near'), list: document.getElementById('lieu-suggestions'), acm: document.getElementById('f-accueil') };
  };
  document.addEventListener('input', (event) => {
    const { place, near, list } = elements();
    if (event.target !== place || !near || !list) return;
    {
      const picked = known.get(place.value);
      near.value = picked ? `${picked.lat},${picked.lng}` : '';
      if (picked) return;
      clearTimeout(timer);
      const q = place.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(async () => {
        try {
          const response = await fetch(`/api/v1/communes?q=${encodeURIComponent(q)}&limit=8`, { headers: { Accept: 'application/json' } });
          if (!response.ok) return;
          const body = await response.json();
          list.replaceChildren();
          for (const item of body.items || []) {
            known.set(item.label, item);
            const option = document.createElement('option');
            option.value = item.label;
            const groups = [item.ept?.name, item.epci?.name].filter(Boolean);
            if (groups.length) option.label = `${item.label} — ${groups.join(', ')}`;
            list.append(option);
          }
        } catch (error) {
          console.warn('communes', error);
        }
      }, 250);
    }
  });

  // Capture phase: runs before htmx sends the form on "change".
  document.addEventListener(
    'change',
    (event) => {
      const { place, near, acm } = elements();
      if (place && event.target === place) {
        const picked = known.get(place.value);
        if (near) near.value = picked ? `${picked.lat},${picked.lng}` : '';
        if (place.value && acm) acm.value = '';
      }
      // "Mon accueil" and "Autour de" exclude each other.
      if (acm && event.target === acm && acm.value && place) {
        place.value = '';
        if (near) near.value = '';
      }
    },
    true,
  );
  // Swapping the results must not undo what the person is doing. The field being typed in (the
  // ages and dates sit inside the results) keeps its text, though the answer to the previous
  // field's change does not hold it yet; the filter panel keeps its scroll (on a phone it is a
  // long panel); another page of results starts at its heading, with the focus there.
  let kept = null;
  document.addEventListener('htmx:beforeSwap', (event) => {
    const target = event.detail.target;
    // An answer not swapped (a server error) must not leave its state to the next swap.
    if (target?.id !== 'search-results' || !event.detail.shouldSwap) return;
    const active = document.activeElement;
    const typing = active instanceof HTMLInputElement && active.id && target.contains(active) && /^(text|search|number|date)$/.test(active.type);
    kept = {
      field: typing ? { id: active.id, value: active.value } : null,
      scroll: document.getElementById('search-filters')?.scrollTop ?? 0,
      paging: event.detail.requestConfig?.elt?.matches?.('a[rel="next"], a[rel="prev"]') ?? false,
    };
  });
  document.addEventListener('htmx:afterSwap', () => {
    if (!kept) return;
    const { field, scroll, paging } = kept;
    kept = null;
    const input = field && document.getElementById(field.id);
    if (input && input.value !== field.value) input.value = field.value;
    const filters = document.getElementById('search-filters');
    if (filters && scroll) filters.scrollTop = scroll;
    if (paging) document.getElementById('search-count')?.focus();
  });
})();
