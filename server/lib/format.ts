const dateFormat = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });
const shortDateFormat = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Paris' });
const timeFormat = new Intl.DateTimeFormat('fr-FR', { hour: 'numeric', minute: '2-digit', timeZone: 'Europe/Paris' });
const numberFormat = new Intl.NumberFormat('fr-FR');
const euroFormat = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const amountFormat = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const decimalFormat = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2, useGrouping: false });

/** French writes the first day of a month as an ordinal: "1er mars 2027". */
export function firstOfMonth(formatted: string): string {
  return formatted.replace(/^1 /, '1er ');
}

function toDate(value: Date | string): Date {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
}

/**
 * The article a name takes when its first word is a common noun of the kinds organisations are
 * named after ("Accueil de loisirs…", "Compagnie…", "Club…"): "de l’Accueil", "de la Compagnie",
 * "du Club". Other names (people, brands, "Judo Club de Lyon") take none.
 */
const leadingNounArticles: Record<string, 'l’' | 'la' | 'le'> = Object.fromEntries([
  ...[
    'accueil',
    'atelier',
    'espace',
    'office',
    'institut',
    'orchestre',
    'observatoire',
    'ensemble',
    'établissement',
    'association',
    'école',
    'amicale',
    'union',
    'académie',
    'agence',
    'antenne',
    'alsh',
    'accueils',
  ].map((w) => [w, 'l’'] as const),
  ...[
    'compagnie',
    'maison',
    'médiathèque',
    'bibliothèque',
    'ludothèque',
    'ligue',
    'fédération',
    'ferme',
    'fondation',
    'ville',
    'commune',
    'mairie',
    'mjc',
    'scène',
    'salle',
    'section',
    'structure',
    'communauté',
    'métropole',
    'mission',
    'galerie',
    'piscine',
    'troupe',
    'chorale',
    'régie',
  ].map((w) => [w, 'la'] as const),
  ...[
    'club',
    'centre',
    'collectif',
    'comité',
    'conservatoire',
    'musée',
    'cinéma',
    'théâtre',
    'cercle',
    'foyer',
    'groupement',
    'service',
    'syndicat',
    'pôle',
    'parc',
    'studio',
    'cirque',
    'gymnase',
    'stade',
    'relais',
    'réseau',
    'secours',
    'cabinet',
  ].map((w) => [w, 'le'] as const),
]);

/** The article the name's first word takes when it is a known noun (« Accueil… » → l’). */
function articleOfLeadingNoun(name: string): 'l’' | 'la' | 'le' | undefined {
  return leadingNounArticles[(/^[^\s’'-]+/.exec(name)?.[0] ?? '').toLowerCase()];
}

/**
 * A name as the object of a verb or a preposition other than "de" ("pour le Centre de loisirs…",
 * "engager l’Accueil…", "pour la Compagnie…"): with the article its leading noun takes, plain
 * otherwise ("pour Judo Club de Lyon", "pour Les Amis du livre").
 */
export function withArticle(name: string): string {
  const trimmed = name.trim();
  const noun = articleOfLeadingNoun(trimmed);
  if (!noun) return trimmed;
  return noun === 'l’' ? `l’${trimmed}` : `${noun} ${trimmed}`;
}

/**
 * "de" before a name, as French writes it: with the article its leading noun takes ("de l’Accueil
 * de loisirs…", "de la Compagnie…", "du Club…"), contracted with a leading article ("du Petit
 * Théâtre", "des Amis du livre"), elided before a vowel ("d’Émilie Roux"), plain otherwise ("de
 * Judo Club"). A leading h stays unelided: whether it is mute cannot be told from the name.
 */
export function de(name: string): string {
  const trimmed = name.trim();
  const article = /^(le|les)\s+(.*)$/i.exec(trimmed);
  if (article) return `${article[1]!.toLowerCase() === 'le' ? 'du' : 'des'} ${article[2]}`;
  const noun = articleOfLeadingNoun(trimmed);
  if (noun) return noun === 'le' ? `du ${trimmed}` : noun === 'la' ? `de la ${trimmed}` : `de l’${trimmed}`;
  return /^[aeiouyàâäéèêëîïôöùûüœæ]/i.test(trimmed) ? `d’${trimmed}` : `de ${trimmed}`;
}

/**
 * "à" before a name, as French writes it: with the article its leading noun takes, contracted where
 * French contracts it ("à l’Accueil de loisirs…", "à la Compagnie…", "au Centre social…", "au Petit
 * Théâtre", "aux Amis du livre"), plain otherwise ("à Judo Club de Lyon").
 */
export function toName(name: string): string {
  const trimmed = name.trim();
  const article = /^(le|les)\s+(.*)$/i.exec(trimmed);
  if (article) return `${article[1]!.toLowerCase() === 'le' ? 'au' : 'aux'} ${article[2]}`;
  const noun = articleOfLeadingNoun(trimmed);
  if (noun) return noun === 'le' ? `au ${trimmed}` : noun === 'la' ? `à la ${trimmed}` : `à l’${trimmed}`;
  return `à ${trimmed}`;
}

/**
 * "1er décembre 2026 à 14 h 05", "… à 9 h": hours written as French prose writes them and as the
 * sessions' times are ("de 14 h à 16 h"), not a clock's "14:05"; the day stays beside its month
 * (a no-break space: only pages show this, no stored or signed text).
 */
function dateAndTime(value: Date): string {
  return `${firstOfMonth(dateFormat.format(value)).replace(' ', '\u00a0')} à ${unbroken(frenchTime(timeFormat.format(value)))}`;
}

/** A clock time "09:30" → "9 h 30", "14:00" → "14 h". */
export function frenchTime(time: string): string {
  const [hours, minutes] = time.split(':');
  return `${Number(hours)} h${minutes === '00' ? '' : ` ${minutes}`}`;
}

/** A calendar day "2026-12-04" → "04/12/2026", as French readers and spreadsheets read dates ('' for none). */
export function frenchDate(iso: string | null): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/**
 * Displayed text with a number kept beside what reads with it ("14 h 30", "12 km", "8 ans", "n° 3"),
 * a territory beside its code ("Rhône (69)", "Lyon (69003)"), and no line starting with the « · »
 * between two facts: stored texts (the convention, notification titles) have plain spaces, and a
 * phone broke "16 / h." across lines.
 */
export function unbroken(text: string): string {
  return text
    .replace(/(\d) (?=(?:h|km|ans|€|%)(?!\p{L}))/gu, '$1\u00a0')
    .replace(/(\d\u00a0h) (?=\d)/g, '$1\u00a0')
    .replace(/n° (?=\d)/g, 'n°\u00a0')
    .replace(/ \((?=[0-9][0-9AB][0-9]{0,3}\))/g, '\u00a0(')
    .replace(/ · /g, '\u00a0· ');
}

/** Typed words shown in a small place (a filter chip): cut with « … » past `max` characters. */
export function clipped(text: string, max = 40): string {
  const chars = [...text];
  return chars.length > max
    ? `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`
    : text;
}

/** Formatting helpers available in every template as `it.f`. */
export const formatters = {
  date: (value: Date | string | null | undefined) => (value ? firstOfMonth(dateFormat.format(toDate(value))) : ''),
  shortDate: (value: Date | string | null | undefined) => (value ? shortDateFormat.format(toDate(value)) : ''),
  dateTime: (value: Date | string | null | undefined) => (value ? dateAndTime(toDate(value)) : ''),
  number: (value: number | null | undefined) => (value === null || value === undefined ? '' : numberFormat.format(value)),
  euros: (value: number | string | null | undefined) => (value === null || value === undefined || value === '' ? '' : euroFormat.format(Number(value))),
  /** An amount as a form field shows it, "1 234,50" (plain spaces: they are typed back as they are). */
  amountInput: (value: number | string | null | undefined) =>
    value === null || value === undefined || value === '' ? '' : amountFormat.format(Number(value)).replace(/\s/g, ' '),
  /** A decimal number as a form field shows it: "11,3". */
  decimalInput: (value: number | string | null | undefined) =>
    value === null || value === undefined || value === '' ? '' : decimalFormat.format(Number(value)),
  de,
  toName,
  withArticle,
  unbroken,
  /** « 12 séances »: the number never ends a line without its noun (a no-break space, as French typography asks). */
  plural: (count: number, singular: string, plural: string) => `${numberFormat.format(count)}\u00a0${count > 1 ? plural : singular}`,
  ages: (min: number | null | undefined, max: number | null | undefined) =>
    min === null || min === undefined ? '' : min === max ? `${min} ans` : `${min}–${max} ans`,
};
