// On narrow screens CSS stacks the rows of data tables (.table) as cards instead of letting the
// page scroll sideways. This labels each cell with its column header (shown by CSS before the
// value) and restates the table roles, which some browsers drop once a table's display changes.
(() => {
  function label(table) {
    if (table.dataset.stacked) return;
    table.dataset.stacked = '1';
    const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    table.setAttribute('role', 'table');
    for (const group of table.querySelectorAll('thead, tbody, tfoot')) group.setAttribute('role', 'rowgroup');
    for (const row of table.querySelectorAll('tr')) {
      row.setAttribute('role', 'row');
      [...row.children].forEach((cell, index) => {
        const inHead = cell.parentElement.parentElement.tagName === 'THEAD';
        cell.setAttribute('role', inHead ? 'columnheader' : cell.tagName === 'TH' ? 'rowheader' : 'cell');
        if (!inHead && headers[index]) cell.dataset.label = headers[index];
      });
    }
  }
  const run = (root) => {
    for (const table of root.querySelectorAll('table.table:not(.table-keep)')) if (!table.closest('.table-scroll')) label(table);
  };
  run(document);
  document.addEventListener('htmx:load', (event) => run(event.target));
})();
