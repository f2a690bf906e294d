// "Imprimer" button of the convention's print view (the page prints fine without it, with the browser's menu).
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-print]') : null;
  if (button) window.print();
});
