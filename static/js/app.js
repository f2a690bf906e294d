// Behaviours shared by every page. Each feature lives in its own file; this one only tunes htmx.
document.addEventListener('htmx:beforeSwap', (event) => {
  const status = event.detail.xhr.status;
  // Our 4xx fragments carry French messages next to the fields: swap them in like a success.
  if (status === 422 || status === 409 || status === 403) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A request that fails (the server busy or in error, the network gone) says so where the user
// looks, instead of leaving the page as it was without a word. The next answer clears it.
const requestErrors = {
  503: 'Passerelle reçoit beaucoup de demandes en ce moment. Réessayez dans quelques instants.',
  0: 'Passerelle ne répond pas : vérifiez votre connexion, puis réessayez.',
};
const otherError = 'Cette action n’a pas abouti. Réessayez dans quelques instants.';

function requestErrorBox() {
  return document.querySelector('[data-request-error]');
}

function showRequestError(status) {
  const box = requestErrorBox();
  if (!box) return;
  const message = document.createElement('p');
  message.className = 'flash flash-error';
  message.textContent = requestErrors[status] ?? otherError;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'button button-small';
  close.textContent = 'Masquer le message';
  close.addEventListener('click', () => box.replaceChildren());
  message.append(' ', close);
  box.replaceChildren(message);
}

// Requests nobody asked for (the bell's polling) neither raise the message nor clear it. The
// element that asked is the request's: once an outerHTML swap removed it, htmx tells its parent.
const inBackground = (event) => Boolean((event.detail.requestConfig?.elt ?? event.detail.elt)?.closest?.('[data-request-background]'));

document.addEventListener('htmx:responseError', (event) => {
  if (!inBackground(event)) showRequestError(event.detail.xhr.status);
});
document.addEventListener('htmx:sendError', (event) => {
  if (!inBackground(event)) showRequestError(0);
});
document.addEventListener('htmx:afterRequest', (event) => {
  if (event.detail.successful && !inBackground(event)) requestErrorBox()?.replaceChildren();
});

// Fields checked by the browser (the search filters' ages and dates) say why in French, as the
// server's messages do, whatever the browser's own language.
function validityMessage(field) {
  const state = field.validity;
  if (state.valueMissing) return 'Ce champ est obligatoire.';
  if (state.badInput) return field.type === 'number' ? 'Saisissez un nombre.' : 'Saisissez une date complète.';
  if ((state.rangeUnderflow || state.rangeOverflow) && field.min && field.max) return `Saisissez une valeur entre ${field.min} et ${field.max}.`;
  if (state.rangeUnderflow) return `La valeur doit être au moins ${field.min}.`;
  if (state.rangeOverflow) return `La valeur doit être au plus ${field.max}.`;
  if (state.stepMismatch) return 'Saisissez un nombre entier.';
  if (state.typeMismatch && field.type === 'email') return 'Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).';
  if (state.typeMismatch && field.type === 'url') return 'Adresse web invalide (exemple : https://www.exemple.fr).';
  return '';
}
document.addEventListener(
  'invalid',
  (event) => {
    const field = event.target;
    if (!(field instanceof HTMLInputElement)) return;
    field.setCustomValidity('');
    if (!field.validity.valid) field.setCustomValidity(validityMessage(field));
  },
  true,
);
// A message set above would keep the field invalid after it is mended: cleared before each check.
for (const type of ['input', 'change', 'htmx:validation:validate']) {
  document.addEventListener(
    type,
    (event) => {
      if (event.target instanceof HTMLInputElement) event.target.setCustomValidity('');
    },
    true,
  );
}

// History is restored from the server (historyCacheSize: 0), and htmx lets every restore land:
// after two quick « Précédent », the older page could arrive last and show under the newer URL.
// Only the latest restore counts, and a search started meanwhile wins over it.
let pendingRestore = null;
document.addEventListener('htmx:historyCacheMiss', (event) => {
  pendingRestore?.abort();
  pendingRestore = event.detail.xhr;
});
document.addEventListener('htmx:historyRestore', () => {
  pendingRestore = null;
});
document.addEventListener('htmx:beforeRequest', (event) => {
  if (pendingRestore && !inBackground(event)) {
    pendingRestore.abort();
    pendingRestore = null;
  }
});

// A form sent back with errors is shown at its POST address, which has no page of its own (a
// reload or a link to it would say « Page introuvable »): the address bar shows the form's page.
// Once loaded: a fragment (#commentaires) in the address while the page loads makes the browser
// take the focus away from the error summary to it.
const pageUrl = document.body.dataset.pageUrl;
if (pageUrl && pageUrl !== location.pathname + location.search + location.hash) {
  window.addEventListener('load', () => history.replaceState(history.state, '', pageUrl));
}

// A form sent back with errors starts at its summary: keyboard and screen reader users land on
// the list of what to fix, each item a link to its field.
const errorSummary = document.getElementById('error-summary');
if (errorSummary && !document.activeElement?.matches('input, select, textarea')) {
  // At the top of the window, not just inside it: a long summary low on the page hid its last links.
  errorSummary.focus({ preventScroll: true });
  errorSummary.scrollIntoView({ block: 'start' });
}
// A summary link shows the whole field, its label and message above the box, then focuses the box
// (jumping to the box itself hid a long message and the label above the window's top).
errorSummary?.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="#"]');
  const target = link && document.getElementById(link.hash.slice(1));
  if (!target) return;
  event.preventDefault();
  (target.closest('.field, fieldset') ?? target).scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
});
