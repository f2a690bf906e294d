/**
 * Names each field of a form's error summary after its label on the same page, where the template
 * gave the summary no label of its own (views/partials/form/error-summary.eta leaves a
 * `<span data-label-of="f-…"></span>` there). Labels are written once, beside their fields; a
 * summary reading « Ce champ est obligatoire. » alone does not say which one.
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

/** The page with its error summary's placeholders replaced by « Label : » (the text is already escaped HTML). */
export function nameErrorSummaryFields(page: string): string {
  if (!page.includes('data-label-of=')) return page;
  return page.replace(PLACEHOLDER, (_placeholder, id: string) => {
    const label = labelOf(page, id);
    return label ? `${label} : ` : '';
  });
}
