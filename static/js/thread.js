// Request thread: quick replies insert their text into the reply box; after an htmx post, focus
// goes back to the reply box (or to the error summary) and the newest message is shown.
function showTemplateButtons(root) {
  root.querySelectorAll('[data-insert-template][hidden]').forEach((button) => {
    button.hidden = false;
  });
}

document.addEventListener('DOMContentLoaded', () => showTemplateButtons(document));

document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-insert-template]');
  if (!button) return;
  const box = document.getElementById('f-body');
  if (!box) return;
  const text = button.getAttribute('data-insert-template') || '';
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.value = box.value.slice(0, start) + text + box.value.slice(end);
  box.focus();
  box.selectionStart = box.selectionEnd = start + text.length;
  const details = button.closest('details');
  if (details) details.open = false;
});

document.addEventListener('htmx:afterSwap', (event) => {
  const target = event.detail.target;
  const thread = document.getElementById('thread');
  if (!thread || !target || target.id !== 'thread') return;
  showTemplateButtons(thread);
  const summary = thread.querySelector('.error-summary');
  if (summary) {
    summary.focus();
    return;
  }
  const messages = thread.querySelectorAll('.message');
  const last = messages[messages.length - 1];
  if (last) last.scrollIntoView({ block: 'nearest' });
  const box = document.getElementById('f-body');
  if (box) box.focus();
});
