/**
 * Completes a form's error summary (views/partials/form/error-summary.eta) from the page around it:
 * - names each field after its label on the page, where the template gave none (it leaves a
 *   `<span data-label-of="f-…"></span>` there): labels are written once, beside their fields, and
 *   « Ce champ est obligatoire. » alone does not say which one;
 * - lists the errors in the order of the fields on the page, whatever order the rules found them in.
 */
const PLACEHOLDER = /<span data-label-of="([\w-]+)"><\/span>/g;

function labelText(html: string): string {
  return html
    .replace(/<span class="(?:required|optional)"[^>]*>.*?<\/span>/g, '')
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function labelOf(page: string, id: string): string {
  // Text fields are labelled by <label for>, groups of boxes by their fieldset's legend.
  const label = page.match(new RegExp(`<label for="${id}">([\\s\\S]*?)</label>`));
  if (label) return labelText(label[1]!);
  const legend = page.match(new RegExp(`<fieldset[^>]*aria-describedby="${id}-error"[^>]*>\\s*<legend>([\\s\\S]*?)</legend>`));
  return legend ? labelText(legend[1]!) : '';
}

const SUMMARY_LIST = /(<div class="error-summary"[^>]*>[\s\S]*?<ul>)([\s\S]*?)(\s*<\/ul>)/g;

function inFieldOrder(page: string): string {
  return page.replace(SUMMARY_LIST, (_list, head: string, items: string, tail: string) => {
    const entries = (items.match(/<li>[\s\S]*?<\/li>/g) ?? []).map((item, index) => {
      const id = /href="#([\w-]+)"/.exec(item)?.[1];
      const at = id ? page.indexOf(`id="${id}"`) : -1;
      return { item, index, at: at < 0 ? Number.POSITIVE_INFINITY : at };
    });
    entries.sort((a, b) => a.at - b.at || a.index - b.index);
    return `${head}${entries.map((e) => `\n    ${e.item}`).join('')}${tail}`;
  });
}

/** The page with its error summary in field order, each field named « Label : » (the text is already escaped HTML). */
export function completeErrorSummary(page: string): string {
  if (!page.includes('<div class="error-summary"')) return page;
  const ordered = inFieldOrder(page);
  return ordered.replace(PLACEHOLDER, (_placeholder, id: string) => {
    const label = labelOf(ordered, id);
    // « Atteinte de l’objectif : Découvrir le judo : Choisissez… » would read as three parts.
    return label ? `${label}${label.includes(' : ') ? ' — ' : ' : '}` : '';
  });
}
