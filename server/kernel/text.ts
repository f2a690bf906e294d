/** A text starting with a capital letter: « L’Accueil… » for a sentence's first word. */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Lower case, accents removed, anything but letters and digits as single spaces (mirrors SQL search_norm). */
export function normalize(text: string): string {
  return text
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function slugify(text: string, maxLength = 80): string {
  const slug = normalize(text).replace(/ /g, '-').slice(0, maxLength).replace(/-+$/, '');
  return slug || 'sans-titre';
}

/** Parses "/offres/12-atelier-theatre" style params: the id before the first dash. */
export function idFromParam(param: string): number | null {
  const match = /^(\d{1,9})(?:-|$)/.exec(param);
  return match ? Number(match[1]) : null;
}

const frenchAbbreviations: Record<string, string> = { st: 'saint', ste: 'sainte', sts: 'saints', stes: 'saintes' };

/** Normalised commune query with the usual abbreviations expanded ("st etienne" → "saint etienne"). */
export function normalizeCommuneQuery(text: string): string {
  return normalize(text)
    .split(' ')
    .map((word) => frenchAbbreviations[word] ?? word)
    .join(' ');
}

/** Words too common to search for or to highlight, normalized (Meilisearch's stop words). */
export const frenchStopWords: ReadonlySet<string> = new Set(
  'a au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y ete etre avoir'.split(
    ' ',
  ),
);

/** French alphabetical order (« Écully » beside « Ecully », « Vénissieux » before « Villeurbanne »), whatever the database's collation. */
export const frenchOrder = new Intl.Collator('fr', { sensitivity: 'base', numeric: true }).compare;

/** Joins facts on one line (« Sport · 8 ans »): the no-break space keeps « · » from starting a wrapped line. */
export const separator = '\u00a0· ';
