import { type TProperties, Type } from '@sinclair/typebox';

/**
 * Form bodies are validated at the edge for shape and size only: every field is an optional
 * string (or list of strings), so that the use case can answer a bad value with a French message
 * next to the field instead of a bare 400.
 */
export const formText = (maxLength = 100_000) => Type.Optional(Type.String({ maxLength }));
export const formList = (maxItems = 100) => Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems }));

export function formBody<T extends TProperties>(properties: T) {
  return Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 500 })), ...properties }, { additionalProperties: false });
}

export const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
/** "12-atelier-theatre": the id and an optional slug. */
export const IdSlugParam = Type.Object({ idSlug: Type.String({ pattern: '^\\d{1,9}(-[a-z0-9-]*)?$', maxLength: 200 }) });
export const TokenParam = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$' }) });
export const NextQuery = Type.Object({ suivant: Type.Optional(Type.String({ maxLength: 500 })) });

const site = 'http://passerelle.invalid';
const unsafeInTarget = /[\u0000-\u001f\u007f-\u009f\\]|\s/u;

/**
 * Where to go after sign-in or a save: a same-site path only, else the fallback. The result is
 * percent-encoded (« é », « œ »), so it always fits in a Location header.
 */
export function safeNext(next: string | undefined, fallback = '/tableau-de-bord'): string {
  if (!next?.startsWith('/') || unsafeInTarget.test(next)) return fallback;
  try {
    const url = new URL(next, site);
    return url.origin === site ? `${url.pathname}${url.search}${url.hash}` : fallback;
  } catch {
    return fallback;
  }
}

/** The body of every API error (referenced by the API routes' responses, component `ApiError` of the OpenAPI document). */
export const ApiError = Type.Object(
  {
    error: Type.String({ description: 'Code stable : invalid_parameter, not_found, rate_limited…' }),
    message: Type.String({ description: 'Explication en français' }),
    parameter: Type.Optional(Type.String({ description: 'Le paramètre en cause (400)' })),
  },
  { $id: 'ApiError', additionalProperties: false },
);

const errorDescriptions = {
  400: 'Paramètre invalide (nommé dans `parameter`)',
  404: 'Introuvable',
  429: 'Trop de requêtes : réessayez plus tard',
  503: 'Service momentanément indisponible (base de données injoignable) : réessayez après le délai de l’en-tête `Retry-After`',
} as const;

/** The error responses of an API route, all with the ApiError body. */
export function apiErrors(...statuses: (keyof typeof errorDescriptions)[]) {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref(ApiError, { description: errorDescriptions[status] })]));
}

/** The body of an RFC 8058 one-click unsubscribe (mail clients POST `List-Unsubscribe=One-Click`), or the page's own form. */
export const OneClickUnsubscribeBody = Type.Optional(
  Type.Object(
    { _csrf: Type.Optional(Type.String({ maxLength: 500 })), 'List-Unsubscribe': Type.Optional(Type.String({ maxLength: 50 })) },
    { additionalProperties: false },
  ),
);
