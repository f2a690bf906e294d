import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { ParameterError } from './errors.js';
import { clipped } from './format.js';

/**
 * A search page's GET form at the edge: every field a string or a list of strings, each read and
 * checked by the page itself. A value may be long: a link with 500 characters of words gets the
 * page with that criterion ignored and named, not an error page (the URL itself is bounded by the
 * server's header limit).
 */
export const SearchFormQuery = Type.Record(
  Type.String({ maxLength: 40 }),
  Type.Union([Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 60 })]),
);

/** A criterion left out: a whole parameter, or one value of a list (`value`), the others still applying. */
export interface Dropped {
  parameter: string;
  value?: string;
}

interface LenientSearch<S extends TSchema, R> {
  schema: S;
  /** The search's parameters, as the page's form or link gave them; criteria are deleted from it as they are rejected. */
  params: Record<string, unknown>;
  /** Schema-valid parameters → the search; throws a ParameterError for what a schema cannot check. */
  parse: (valid: Static<S>) => Promise<R>;
  /** Puts back the rules that tie parameters together once one is dropped (a radius goes with its point). */
  settle: (params: Record<string, unknown>) => void;
  /** Criteria that read as one with another and go with it (the two ends of an age range). */
  dropsWith?: Record<string, readonly string[]>;
  /** What the page says of the first rejected criterion. */
  message: (parameter: string, failure: ParameterError | null) => string;
  /** The search when no criterion can be read at all. */
  fallback: R;
}

/** What a page can say of a value its schema refuses ("200 caractères au maximum"), or null to say only that it is invalid. */
export function schemaReason(error: ValueError): string | null {
  const { minimum, maximum, maxLength } = error.schema as { minimum?: number; maximum?: number; maxLength?: number };
  if (error.type === ValueErrorType.StringMaxLength && maxLength !== undefined) return `${maxLength} caractères au maximum`;
  if (error.type === ValueErrorType.Union && typeof error.value === 'string') return `valeur inconnue (${clipped(error.value)})`;
  const whole = error.schema.type === 'integer';
  if (minimum !== undefined && maximum !== undefined && (whole || error.schema.type === 'number')) {
    return `nombre${whole ? ' entier' : ''} entre ${minimum} et ${maximum} attendu`;
  }
  return null;
}

/** Messages shown when a link carries criteria wrong: the first few, then how many more (a link can carry fifty unknown themes). */
const NAMED_AT_MOST = 3;
function namedMessages(messages: string[]): string | null {
  if (messages.length === 0) return null;
  const more = messages.length - NAMED_AT_MOST;
  if (more <= 0) return messages.join(' ');
  const tail = more === 1 ? 'Un autre critère a été ignoré.' : `${more} autres critères ont été ignorés.`;
  return [...messages.slice(0, NAMED_AT_MOST), tail].join(' ');
}

/**
 * Reads a search page's criteria as far as they are valid: each one the schema or the parser
 * rejects is dropped and the others still apply, so that a link with a page number out of range
 * keeps its words, themes and place. Gives the first rejected criterion, the messages of all of
 * them (so that none is dropped without a word), and all the dropped ones.
 */
export async function readLeniently<S extends TSchema, R>(
  search: LenientSearch<S, R>,
): Promise<{ search: R; error: string | null; parameter: string | null; dropped: Dropped[] }> {
  const { schema, params } = search;
  let rejected: string | null = null;
  const messages: string[] = [];
  const dropped: Dropped[] = [];
  const read = (found: R) => ({ search: found, error: namedMessages(messages), parameter: rejected, dropped });
  // Each turn drops one criterion or one value of a list; a rejection that names none left gives up on the criteria.
  const values = Object.values(params).reduce<number>((count, value) => count + (Array.isArray(value) ? value.length : 1), 0);
  for (let turn = values + 1; turn >= 0; turn--) {
    search.settle(params);
    const converted = Value.Convert(schema, params);
    const invalid = Value.Errors(schema, converted).First();
    let failure: ParameterError | null = null;
    let parameter: string;
    // One value of a list the schema refuses (an unknown theme): that value alone is dropped.
    let fromList: { list: unknown[]; index: number } | null = null;
    if (invalid) {
      const [name = '', index] = invalid.path.split('/').filter(Boolean);
      parameter = name;
      const reason = schemaReason(invalid);
      if (reason) failure = new ParameterError(parameter, reason);
      const list = params[parameter];
      if (index !== undefined && Array.isArray(list) && list.length > 1) fromList = { list, index: Number(index) };
    } else {
      try {
        return read(await search.parse(converted as Static<S>));
      } catch (caught) {
        if (!(caught instanceof ParameterError)) throw caught;
        failure = caught;
        parameter = caught.parameter;
      }
    }
    const named = parameter || 'recherche';
    rejected ??= named;
    const message = search.message(named, failure);
    if (!messages.includes(message)) messages.push(message);
    if (!(parameter in params)) break;
    if (fromList) {
      const { list, index } = fromList;
      dropped.push({ parameter, value: String(list[index]) });
      params[parameter] = list.filter((_, i) => i !== index);
      continue;
    }
    for (const name of [parameter, ...(search.dropsWith?.[parameter] ?? [])]) {
      if (!(name in params)) continue;
      delete params[name];
      dropped.push({ parameter: name });
    }
  }
  return read(search.fallback);
}
