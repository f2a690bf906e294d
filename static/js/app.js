// Behaviours shared by every page. Each feature lives in its own file; this one only tunes htmx.
document.addEventListener('htmx:beforeSwap', (event) => {
  const status = event.detail.xhr.status;
  // Our 4xx fragments carry French messages next to the fields: swap them in like a success.
  if (status === 422 || status === 409 || status === 403) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
