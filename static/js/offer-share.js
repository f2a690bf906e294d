// "Copier le lien": copies the offer's address. Without JavaScript (or clipboard access) the link
// simply opens the offer, whose address can be copied from the browser.
(() => {
  document.addEventListener('click', async (event) => {
    const link = event.target.closest('[data-copy-url]');
    if (!link || !navigator.clipboard) return;
    event.preventDefault();
    const status = link.closest('section')?.querySelector('[data-copy-status]');
    try {
      await navigator.clipboard.writeText(link.dataset.copyUrl);
      if (status) status.textContent = 'Lien copié dans le presse-papiers.';
    } catch {
      if (status) status.textContent = `Copie impossible : voici l’adresse à copier, ${link.dataset.copyUrl}`;
    }
  });
})();
