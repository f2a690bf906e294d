// "Enregistrer cette recherche": the results may have changed since the page loaded (htmx keeps
// the address bar in sync), so the saved query is read from the address bar when the form is sent.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-save-search')) return;
  const query = form.querySelector('input[name="query"]');
  if (query) query.value = window.location.search.replace(/^\?/, '');
});
