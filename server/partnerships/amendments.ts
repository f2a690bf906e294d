import { diffArrays, diffWordsWithSpace } from 'diff';
import { formatters, unbroken } from '../lib/format.js';

/**
 * What an amendment (avenant) changes: the articles whose text differs between the signed text and
 * the proposed one, side by side, and the sessions added to or removed from the calendar annex.
 * Both texts are plain convention texts (title, heading block, then one block per article).
 */

interface ArticleChange {
  heading: string;
  before: string[];
  after: string[];
}

/** A run of words on one side of a changed article, marked when the other side does not have it. */
interface Mark {
  text: string;
  changed: boolean;
}

interface MarkedArticle {
  heading: string;
  before: Mark[][];
  after: Mark[][];
}

interface AmendmentDiff {
  articles: MarkedArticle[];
  added: string[];
  removed: string[];
}

interface Block {
  key: string;
  heading: string;
  lines: string[];
}

function blocks(text: string): Block[] {
  const [, ...rest] = text.replace(/\n+$/, '').split('\n\n');
  return rest.map((chunk, i) => {
    const lines = chunk.split('\n');
    const article = /^Article \d+ — (.+)$/.exec(lines[0] ?? '');
    if (article) return { key: article[1]!, heading: lines[0]!, lines: lines.slice(1) };
    return i === 0 ? { key: 'En-tête', heading: 'En-tête', lines } : { key: `#${i}`, heading: lines[0] ?? '', lines };
  });
}

export function diffTexts(before: string, after: string): ArticleChange[] {
  const old = new Map(blocks(before).map((b) => [b.key, b]));
  const changes: ArticleChange[] = [];
  const seen = new Set<string>();
  for (const b of blocks(after)) {
    seen.add(b.key);
    const previous = old.get(b.key);
    if (previous && previous.lines.join('\n') === b.lines.join('\n')) continue;
    changes.push({ heading: b.heading, before: previous?.lines ?? [], after: b.lines });
  }
  for (const [key, b] of old) if (!seen.has(key)) changes.push({ heading: b.heading, before: b.lines, after: [] });
  return changes;
}

function diffDates(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const was = new Set(before);
  const is = new Set(after);
  return { added: after.filter((d) => !was.has(d)), removed: before.filter((d) => !is.has(d)) };
}

const whole = (line: string, changed: boolean): Mark[] => (line.trim() ? [{ text: line.trim(), changed }] : []);

/** A changed run's outer spaces are not changes: "<del>45</del> €", not "<del>45 </del>€". */
function trimmed(mark: Mark): Mark[] {
  if (!mark.changed) return [mark];
  const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(mark.text) ?? [];
  return [
    { text: lead, changed: false },
    { text: core, changed: true },
    { text: trail, changed: false },
  ].filter((m) => m.text !== '');
}

/** "Tarif : 45 € par séance" → "Tarif : 50 € par séance": each side with the words the other lacks marked. */
function markWords(before: string, after: string): { before: Mark[]; after: Mark[]; kept: number } {
  const changes = diffWordsWithSpace(before.trim(), after.trim());
  return {
    before: changes.filter((c) => !c.added).flatMap((c) => trimmed({ text: c.value, changed: c.removed })),
    after: changes.filter((c) => !c.removed).flatMap((c) => trimmed({ text: c.value, changed: c.added })),
    kept: changes.filter((c) => !c.added && !c.removed).reduce((n, c) => n + c.value.trim().length, 0),
  };
}

/**
 * The two sides of a changed article line by line, a rewritten line paired with the one it replaces
 * so only its changed words are marked ("12 séances" → "11 séances" marks the figures). A line
 * sharing less than a third of its text with its pair reads better marked whole than as scattered
 * words.
 */
function markArticle(before: string[], after: string[]): { before: Mark[][]; after: Mark[][] } {
  const left: Mark[][] = [];
  const right: Mark[][] = [];
  const parts = diffArrays(before, after);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part.added && !part.removed) {
      for (const line of part.value) {
        left.push(whole(line, false));
        right.push(whole(line, false));
      }
      continue;
    }
    const removed = part.removed ? part.value : [];
    const added = part.added ? part.value : parts[i + 1]?.added ? parts[++i]!.value : [];
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const [was, is] = [removed[k], added[k]];
      if (was !== undefined && is !== undefined) {
        const [before, after] = markPair(was.trim(), is.trim());
        left.push(before);
        right.push(after);
        continue;
      }
      if (was !== undefined) left.push(whole(was, true));
      if (is !== undefined) right.push(whole(is, true));
    }
  }
  return { before: left, after: right };
}

/** A line and the one replacing it; a field's label they share ("Frais : ") stays unmarked even when its value is new. */
function markPair(was: string, is: string): [Mark[], Mark[]] {
  const label = /^[^:]{1,60} : /.exec(was)?.[0];
  if (label && is.startsWith(label)) {
    const [before, after] = markPair(was.slice(label.length), is.slice(label.length));
    return [
      [{ text: label, changed: false }, ...before],
      [{ text: label, changed: false }, ...after],
    ];
  }
  const words = markWords(was, is);
  if (words.kept * 3 >= Math.max(was.length, is.length)) return [words.before, words.after];
  return [whole(was, true), whole(is, true)];
}

export function amendmentDiff(signed: { text: string; dates: string[] }, proposed: { text: string; dates: string[] }): AmendmentDiff {
  // Displayed, so a number keeps its unit on its line even when only the number changed (« <ins>16</ins> h »).
  const shown = (lines: string[]) => lines.map(unbroken);
  const articles = diffTexts(signed.text, proposed.text).map((a) => ({ heading: a.heading, ...markArticle(shown(a.before), shown(a.after)) }));
  return { articles, ...diffDates(signed.dates, proposed.dates) };
}

/** Version 1 is the convention; version n + 1 is « Avenant n° n » when it is an amendment. */
export function versionLabel(v: { version: number; kind: string }, versions: { version: number; kind: string }[]): string {
  if (v.kind !== 'amendment') return v.version === 1 ? 'Convention' : `Convention (version ${v.version})`;
  const n = versions.filter((x) => x.kind === 'amendment' && x.version <= v.version).length;
  return `Avenant n° ${n}`;
}

interface SignedVersion {
  version: number;
  kind: string;
  text: string;
  textHash: string;
  dates: string[];
  signedAt: Date;
  signatures: { organisation: string; name: string; role: string; signedAt: string }[];
}

export interface SignedDocument {
  /** « Convention » or « Avenant n° 1 ». */
  label: string;
  version: number;
  /** The text printed: the whole convention, or what the amendment changes. */
  text: string;
  /** SHA-256 of the consolidated text both parties signed. */
  hash: string;
  signatures: { organisation: string; name: string; role: string; signedAt: Date; hash: string }[];
}

const frenchDate = (iso: string) => formatters.date(iso);

/** The text of an amendment: the articles it rewrites, in their new wording, and the sessions it adds or removes. */
function amendmentText(previous: SignedVersion, current: SignedVersion, number: number, reference: string): string {
  const articles = diffTexts(previous.text, current.text);
  const dates = previous.dates.length ? diffDates(previous.dates, current.dates) : { added: [], removed: [] };
  const blocks = [
    `AVENANT N° ${number} À LA CONVENTION ${reference}`,
    'Les parties conviennent de modifier la convention comme suit ; ses autres stipulations restent inchangées.',
  ];
  if (dates.added.length || dates.removed.length) {
    blocks.push(
      [
        'Séances du calendrier',
        ...(dates.added.length ? [`• Séances ajoutées : ${dates.added.map(frenchDate).join(', ')}.`] : []),
        ...(dates.removed.length ? [`• Séances retirées : ${dates.removed.map(frenchDate).join(', ')}.`] : []),
      ].join('\n'),
    );
  }
  for (const a of articles) {
    blocks.push([a.heading, 'est remplacé par :', ...(a.after.length ? a.after : ['(article supprimé)'])].join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}

/**
 * What "the signed convention" is up to a version: the convention as signed, then each amendment
 * signed after it, numbered, each with its signatures and the hash of the consolidated text.
 */
export function signedDocuments(versions: SignedVersion[], upTo: number, reference: string): SignedDocument[] {
  const sorted = [...versions].filter((v) => v.version <= upTo).sort((a, b) => a.version - b.version);
  const baseIndex = sorted.map((v) => v.kind).lastIndexOf('convention');
  const chain = sorted.slice(Math.max(0, baseIndex));
  const signatures = (v: SignedVersion) => v.signatures.map((s) => ({ ...s, signedAt: new Date(s.signedAt), hash: v.textHash }));
  return chain.map((v, i) => {
    if (i === 0 || v.kind !== 'amendment') {
      return { label: versionLabel(v, versions), version: v.version, text: v.text, hash: v.textHash, signatures: signatures(v) };
    }
    const label = versionLabel(v, versions);
    const number = Number(label.replace(/\D+/g, ''));
    return { label, version: v.version, text: amendmentText(chain[i - 1]!, v, number, reference), hash: v.textHash, signatures: signatures(v) };
  });
}
