import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ParameterError } from './errors.js';

interface LenientSearch<S extends TSchema, R> {
  schema: S;
  /** The search's parameters, as the page's form or link gave them; criteria are deleted from it as they are rejected. */
  params: Record<string, unknown>;
  /** Schema-valid parameters → the search; throws a ParameterError for what a schema cannot check. */
  parse: (valid: Static<S>) => Promise<R>;
  /** Puts back the rules that tie parameters together once one is dropped (a radius goes with its point). */
  settle: (params: Record<string, unknown>) => void;
  /** What the page says of the first rejected criterion. */
  message: (parameter: string, failure: ParameterError | null) => string;
  /** The search when no criterion can be read at all. */
  fallback: R;
}

/**
 * Reads a search page's criteria as far as they are valid: each one the schema or the parser
 * rejects is dropped and the others still apply, so that a link with a page number out of range
 * keeps its words, themes and place. Gives the first rejected criterion and its message.
 */
export async function readLeniently<S extends TSchema, R>(search: LenientSearch<S, R>): Promise<{ search: R; error: string | null; parameter: string | null }> {
  const { schema, params } = search;
  let rejected: { parameter: string; error: string } | null = null;
  // Each turn drops one criterion; a rejection that names none left gives up on the criteria.
  for (let turn = Object.keys(params).length + 1; turn >= 0; turn--) {
    search.settle(params);
    const converted = Value.Convert(schema, params);
    const invalid = Value.Errors(schema, converted).First();
    let failure: ParameterError | null = null;
    let parameter: string;
    if (invalid) {
      parameter = invalid.path.split('/').filter(Boolean)[0] ?? '';
    } else {
      try {
        return { search: await search.parse(converted as Static<S>), error: rejected?.error ?? null, parameter: rejected?.parameter ?? null };
      } catch (caught) {
        if (!(caught instanceof ParameterError)) throw caught;
        failure = caught;
        parameter = caught.parameter;
      }
    }
    rejected ??= { parameter: parameter || 'recherche', error: search.message(parameter || 'recherche', failure) };
    if (!(parameter in params)) break;
    delete params[parameter];
  }
  return { search: search.fallback, error: rejected?.error ?? null, parameter: rejected?.parameter ?? null };
}
