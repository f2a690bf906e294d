// Offer editor: shows only the fields that apply (venue, price amount), keeps sub-themes in line
// with the chosen themes, shows the age bands and characters left. Without JavaScript every
// field stays visible and the server does the same checks.
(() => {
  const BANDS = [
    [3, 5],
    [6, 8],
    [9, 11],
    [12, 14],
    [15, 17],
  ];

  function checkedValue(form, name) {
    const input = form.querySelector(`input[name="${name}"]:checked`);
    return input ? input.value : '';
  }

  function toggle(form, attribute, value) {
    let shown = false;
    for (const block of form.querySelectorAll(`[${attribute}]`)) {
      const hidden = !block.getAttribute(attribute).split(' ').includes(value);
      if (block.hidden && !hidden) shown = true;
      block.hidden = hidden;
    }
    // A map inside a block that was hidden has no size yet: Leaflet measures again on resize.
    if (shown) window.dispatchEvent(new Event('resize'));
  }

  function updateBands(form) {
    const output = form.querySelector('#age-bands');
    const min = Number(form.querySelector('[name="ageMin"]')?.value);
    const max = Number(form.querySelector('[name="ageMax"]')?.value);
    if (!output) return;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 3 || max > 17 || min > max) {
      output.textContent = '—';
      return;
    }
    const bands = BANDS.filter(([low, high]) => min <= high && max >= low).map(([low, high]) => `${low}-${high} ans`);
    output.textContent = bands.join(', ');
  }

  function updateSubthemes(form) {
    const themes = [...form.querySelectorAll('input[name="themes"]:checked')].map((input) => input.value);
    for (const group of form.querySelectorAll('[data-subthemes-of]')) {
      const hasChecked = group.querySelector('input:checked');
      group.hidden = themes.length > 0 && !themes.includes(group.dataset.subthemesOf) && !hasChecked;
    }
  }

  function updateCounter(input) {
    const max = Number(input.dataset.counter);
    let note = document.getElementById(`${input.id}-count`);
    if (!note) {
      note = document.createElement('p');
      note.id = `${input.id}-count`;
      note.className = 'hint char-count';
      input.insertAdjacentElement('afterend', note);
    }
    const left = max - input.value.length;
    // « 5 000 », as the hint above writes it.
    const count = Math.abs(left).toLocaleString('fr-FR');
    note.textContent =
      left >= 0 ? `${count} caractère${left > 1 ? 's' : ''} restant${left > 1 ? 's' : ''}` : `${count} caractère${left < -1 ? 's' : ''} en trop`;
  }

  function setup(form) {
    if (form.dataset.editorReady) return;
    form.dataset.editorReady = '1';
    const refresh = () => {
      toggle(form, 'data-venue-show', checkedValue(form, 'venue'));
      toggle(form, 'data-price-show', checkedValue(form, 'price'));
      updateBands(form);
      updateSubthemes(form);
    };
    form.addEventListener('change', (event) => {
      const target = event.target;
      // Choosing a sub-theme selects its theme (the server does the same).
      if (target.name === 'subthemes' && target.checked) {
        const group = target.closest('[data-subthemes-of]');
        const theme = group && form.querySelector(`input[name="themes"][value="${group.dataset.subthemesOf}"]`);
        if (theme) theme.checked = true;
      }
      refresh();
    });
    form.addEventListener('input', (event) => {
      if (event.target.matches('[data-age-input]')) updateBands(form);
      if (event.target.dataset.counter) updateCounter(event.target);
    });
    for (const input of form.querySelectorAll('[data-counter]')) updateCounter(input);
    refresh();
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const form of document.querySelectorAll('[data-offer-editor]')) setup(form);
  });
})();
