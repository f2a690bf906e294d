// Disclosure buttons (the phone menu, the phone filters panel):
//   <button aria-expanded="false" aria-controls="ID" data-disclosure="CLASS">
// toggles CLASS on the closest [data-disclosure-scope], an element htmx never replaces, so that
// a panel stays open while htmx swaps its content (and htmx can give focus back inside it).
// [data-disclosure-close="ID"] closes it again, then focuses [data-focus] (or the button).
// CSS shows the buttons only where scripts run (@media (scripting: enabled)).
(() => {
  const buttonFor = (id) => document.querySelector(`button[data-disclosure][aria-controls="${CSS.escape(id)}"]`);
  const scopeOf = (button) => button.closest('[data-disclosure-scope]') || document.documentElement;

  function set(button, open) {
    button.setAttribute('aria-expanded', String(open));
    scopeOf(button).classList.toggle(button.dataset.disclosure, open);
    const panel = document.getElementById(button.getAttribute('aria-controls'));
    if (open && panel?.hasAttribute('tabindex')) panel.focus();
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-disclosure]');
    if (button) {
      set(button, button.getAttribute('aria-expanded') !== 'true');
      return;
    }
    const close = event.target.closest('[data-disclosure-close]');
    if (!close) return;
    const opener = buttonFor(close.dataset.disclosureClose);
    if (!opener) return;
    set(opener, false);
    (document.getElementById(close.dataset.focus) || opener).focus();
  });

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    for (const button of document.querySelectorAll('button[data-disclosure][aria-expanded="true"]')) {
      const panel = document.getElementById(button.getAttribute('aria-controls'));
      if (!panel?.contains(document.activeElement) && document.activeElement !== button) continue;
      set(button, false);
      button.focus();
    }
  });
})();
