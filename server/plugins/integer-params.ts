import type { FastifyError, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';

const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;
const DIGITS = /^-?\d{1,20}$/;

type PropertySchema = { type?: unknown; items?: { type?: unknown }; minimum?: number; maximum?: number };
type Field = { name: string; minimum: number; maximum: number };
type Part = 'params' | 'querystring';

function integerFields(schema: unknown): Field[] {
  const properties = (schema as { properties?: Record<string, PropertySchema> } | undefined)?.properties ?? {};
  return Object.entries(properties)
    .filter(([, s]) => s.type === 'integer' || (s.type === 'array' && s.items?.type === 'integer'))
    .map(([name, s]) => {
      const bounds = (s.type === 'array' ? s.items : s) as PropertySchema;
      return { name, minimum: Math.max(bounds.minimum ?? INT4_MIN, INT4_MIN), maximum: Math.min(bounds.maximum ?? INT4_MAX, INT4_MAX) };
    });
}

function validationError(part: Part, name: string, keyword: string, params: Record<string, unknown>): FastifyError {
  const error = new Error(`${part}/${name} ${keyword}`) as FastifyError & { validation: unknown[]; validationContext: string };
  error.statusCode = 400;
  error.validation = [{ keyword, instancePath: `/${name}`, schemaPath: '', params, message: keyword }];
  error.validationContext = part;
  return error;
}

/** The first raw value that is not a PostgreSQL int4 written in digits, as the schema error it deserves. */
function refusal(part: Part, values: Record<string, unknown>, fields: Field[]): FastifyError | null {
  for (const field of fields) {
    const raw = values[field.name];
    for (const value of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
      const text = String(value);
      if (!DIGITS.test(text)) return validationError(part, field.name, 'type', { type: 'integer' });
      const number = Number(text);
      if (number > field.maximum) return validationError(part, field.name, 'maximum', { limit: field.maximum });
      if (number < field.minimum) return validationError(part, field.name, 'minimum', { limit: field.minimum });
    }
  }
  return null;
}

/**
 * Integer parameters accept digits only, within PostgreSQL's int4. Ajv's type coercion reads the
 * raw text as a JavaScript number first, so "1e999" (Infinity), "0x10" or " 7" would pass the
 * schema; this check runs on the raw text of every route's integer params and query values, before
 * the schema, so that every route is covered by declaring `Type.Integer` alone.
 */
export default fp(
  async (app) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      const schema = route.schema as { params?: unknown; querystring?: unknown } | undefined;
      const params = integerFields(schema?.params);
      const query = integerFields(schema?.querystring);
      if (!params.length && !query.length) return;
      const check = async (request: FastifyRequest) => {
        const error =
          refusal('params', request.params as Record<string, unknown>, params) ??
          refusal('querystring', (request.query ?? {}) as Record<string, unknown>, query);
        if (error) throw error;
      };
      const existing = route.preValidation;
      route.preValidation = existing ? [check, ...(Array.isArray(existing) ? existing : [existing])] : check;
    });
  },
  { name: 'integer-params' },
);
