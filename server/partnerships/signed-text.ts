import type { conventionVersions } from '../../db/schema/index.js';
import { diffTexts } from './amendments.js';
import { type ConventionContext, renderConvention } from './convention.js';

type SignedVersion = typeof conventionVersions.$inferSelect;
type Rendered = ReturnType<typeof renderConvention>;

/**
 * A signed text is compared with the partnership as it is now by rendering both with the same
 * code: the context it was signed from is kept with the version. Comparing with the stored text
 * itself would take a wording change of a later release (a clause, a typo) for a change of the
 * partnership, and propose an amendment nobody asked for.
 */

/** The context as kept with a signed version, or null when it would not render the same text again. */
export function keptInputs(context: ConventionContext, rendered: Rendered): Record<string, unknown> | null {
  const inputs = JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
  return renderAgain(inputs)?.hash === rendered.hash ? inputs : null;
}

// A version's inputs, read once from its row, are compared several times in one request.
const renderings = new WeakMap<Record<string, unknown>, Rendered | null>();

function renderAgain(inputs: Record<string, unknown>): Rendered | null {
  if (renderings.has(inputs)) return renderings.get(inputs)!;
  let rendered: Rendered | null;
  try {
    rendered = renderConvention(inputs as unknown as ConventionContext);
  } catch {
    // Kept by an older release whose context this code cannot read: the text is compared instead.
    rendered = null;
  }
  renderings.set(inputs, rendered);
  return rendered;
}

/** Whether the partnership now makes a text other than the signed one (a proposed amendment). */
export function differsFromSigned(rendered: Rendered, inForce: SignedVersion): boolean {
  if (rendered.hash === inForce.textHash) return false;
  const signed = inForce.inputs ? renderAgain(inForce.inputs) : null;
  return signed ? signed.hash !== rendered.hash : true;
}

/**
 * The signed text, shown article by article in place of the current rendering while no amendment
 * is proposed: what the parties read is what they signed, whatever the app's wording became since.
 */
export function asSigned(rendered: Rendered, inForce: SignedVersion): Rendered {
  if (rendered.hash === inForce.textHash) return rendered;
  const [title = rendered.title, ...chunks] = inForce.text.replace(/\n+$/, '').split('\n\n');
  const sections = chunks.map((chunk, i) => {
    const lines = chunk.split('\n');
    if (i === 0) {
      const entete = rendered.sections.find((s) => s.key === 'entete');
      if (entete) return { ...entete, lines };
    }
    const heading = lines[0] ?? '';
    const sectionTitle = heading.replace(/^Article \d+ — /, '');
    // Its edit form goes with the article of the same title (the fields are the same).
    const current = rendered.sections.find((s) => s.title === sectionTitle);
    return { key: current?.key ?? `signe-${i}`, title: sectionTitle, fields: current?.fields ?? [], heading, lines: lines.slice(1) };
  });
  return { title, sections, text: inForce.text, hash: inForce.textHash, dates: inForce.dates.length ? inForce.dates : rendered.dates };
}

/**
 * Of the articles where a proposed amendment differs from the signed text (`differing`, from its
 * diff), those that differ by the app's wording only (the signed inputs rendered today make the
 * same article): the page says so beside them.
 */
export function wordingOnlyArticles(rendered: Rendered, inForce: SignedVersion, differing: string[]): Set<string> {
  const signedNow = inForce.inputs ? renderAgain(inForce.inputs) : null;
  if (!signedNow) return new Set();
  const changed = new Set(diffTexts(signedNow.text, rendered.text).map((a) => a.heading));
  return new Set(differing.filter((heading) => !changed.has(heading)));
}
