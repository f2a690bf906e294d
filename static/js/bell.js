// Header bell: htmx polls the unread count; this pauses polling while the tab is hidden and
// refreshes the count as soon as the tab is shown again.
document.addEventListener('htmx:beforeRequest', (event) => {
  if (document.hidden && event.detail.elt && event.detail.elt.id === 'notification-bell') event.preventDefault();
});
document.addEventListener('visibilitychange', () => {
  const bell = document.getElementById('notification-bell');
  if (!document.hidden && bell && window.htmx) window.htmx.trigger(bell, 'bellrefresh');
});
