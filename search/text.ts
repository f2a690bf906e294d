import { normalize } from '../server/kernel/text.js';

const MAX_QUERY_WORDS = 10;
const MAX_WORD_LENGTH = 40;

/** Normalised query words (lower case, no accents, letters and digits only): safe in any query syntax. */
export function queryWords(q: string | undefined): string[] {
  if (!q) return [];
  return normalize(q)
    .split(' ')
    .filter((w) => w.length > 0)
    .map((w) => w.slice(0, MAX_WORD_LENGTH))
    .slice(0, MAX_QUERY_WORDS);
}

/** Words of a text to put in the typo lexicon. */
export function lexiconWords(text: string): string[] {
  return normalize(text)
    .split(' ')
    .filter((w) => w.length >= 3 && w.length <= MAX_WORD_LENGTH && !/^\d+$/.test(w));
}

export function sortedLetters(word: string): string {
  return [...word].sort().join('');
}

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Edits tolerated for a word of this length (like Meilisearch: none below 4 letters, 1 up to 7, then 2). */
export function typoBudget(word: string): number {
  if (word.length < 4) return 0;
  return word.length < 8 ? 1 : 2;
}

export type SynonymMap = Map<string, string[]>;

/** One unit of a query: a word or a multi-word synonym key, and what it may also match. */
interface QueryUnit {
  text: string;
  alternatives: string[];
  isPhrase: boolean;
}

/** Groups words into units, the longest synonym phrase first ("hip hop", "bande dessinee"). */
export function queryUnits(words: string[], synonyms: SynonymMap): QueryUnit[] {
  const units: QueryUnit[] = [];
  for (let i = 0; i < words.length; ) {
    let taken = 1;
    for (let size = Math.min(3, words.length - i); size > 1; size--) {
      if (synonyms.has(words.slice(i, i + size).join(' '))) {
        taken = size;
        break;
      }
    }
    const text = words.slice(i, i + taken).join(' ');
    units.push({ text, alternatives: [text, ...(synonyms.get(text) ?? [])], isPhrase: taken > 1 });
    i += taken;
  }
  return units;
}
