import { readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * What partners typically offer ACMs, one entry per sub-theme: titles, summaries and paragraphs
 * that the demo seed combines, so that each offer reads like one a real partner would write. The
 * wording lives in offer-ideas.json; its shape is checked once, on load.
 */
const Range = Type.Tuple([Type.Integer(), Type.Integer()]);

const OfferIdeaSchema = Type.Object(
  {
    subtheme: Type.String({ minLength: 1 }),
    titles: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    summaries: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    /** Two or three paragraphs; the seed keeps them in order and picks one variant of each. */
    paragraphs: Type.Array(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), { minItems: 1 }),
    formats: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    ages: Type.Array(Range, { minItems: 1 }),
    venues: Type.Array(Type.Union([Type.Literal('dans-l-accueil'), Type.Literal('chez-le-partenaire'), Type.Literal('autre-lieu')]), {
      minItems: 1,
    }),
    natures: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    /** A place for "autre-lieu" offers. */
    elsewhere: Type.Optional(Type.String({ minLength: 1 })),
    /** For each title, the summary (and paragraph variant) that goes with it; default: alternate. */
    match: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
    regulated: Type.Optional(Type.Boolean()),
    group: Type.Optional(Range),
  },
  { additionalProperties: false },
);

export type OfferIdea = Static<typeof OfferIdeaSchema>;

function loadOfferIdeas(url: URL): OfferIdea[] {
  const data: unknown = JSON.parse(readFileSync(url, 'utf8'));
  const schema = Type.Array(OfferIdeaSchema, { minItems: 1 });
  if (!Value.Check(schema, data)) {
    const first = Value.Errors(schema, data).First();
    throw new Error(`${url.pathname}${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
  }
  return data;
}

export const offerIdeas = loadOfferIdeas(new URL('./offer-ideas.json', import.meta.url));
