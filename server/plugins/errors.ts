import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
import { AppError, ParameterError } from '../lib/errors.js';
import { ApiError } from '../lib/schemas.js';

const NOT_FOUND = 'Cette page n’existe pas ou a été déplacée. Vérifiez l’adresse ou repartez de l’accueil.';

const UNAVAILABLE = 'Passerelle ne peut pas répondre pour le moment. Réessayez dans quelques instants.';
/** Seconds a client should wait before retrying while the database is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const csrfCodes = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

/** The API and the pages' own JSON (`/besoins/carte.json`) answer errors in JSON, never an HTML page. */
function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url.split('?', 1)[0]!.endsWith('.json');
}

/** "/query/radius_km" or "body.email" → "radius_km" / "email". */
function parameterOf(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return 'request';
  const params = first.params as Record<string, unknown> | undefined;
  const fromPath = first.instancePath.split('/').filter(Boolean)[0];
  const missing = typeof params?.missingProperty === 'string' ? params.missingProperty : undefined;
  const extra = typeof params?.additionalProperty === 'string' ? params.additionalProperty : undefined;
  return fromPath ?? missing ?? extra ?? error.validationContext ?? 'request';
}

/** Under /api the body is the `ApiError` schema: a stable code, the French message, the parameter at fault if any. */
interface ApiDetails {
  code?: string;
  parameter?: string;
}

async function renderError(request: FastifyRequest, reply: FastifyReply, status: number, message: string, api: ApiDetails = {}) {
  if (isApi(request)) {
    const parameter = api.parameter === undefined ? {} : { parameter: api.parameter };
    return reply.code(status).send({ error: api.code ?? statusName(status), message, ...parameter });
  }
  try {
    return await reply.page('errors/error', { title: statusTitle(status), status, message }, status);
  } catch (renderFailure) {
    request.log.error({ err: renderFailure }, 'error page failed to render');
    return reply.code(status).type('text/plain; charset=utf-8').send(message);
  }
}

const statusNames: Record<number, string> = {
  400: 'bad_request',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  422: 'invalid',
  429: 'rate_limited',
  503: 'unavailable',
};

function statusName(status: number): string {
  return statusNames[status] ?? 'error';
}

function statusTitle(status: number): string {
  if (status === 404) return 'Page introuvable';
  if (status === 403) return 'Accès refusé';
  if (status === 429) return 'Trop de tentatives';
  if (status === 503) return 'Service momentanément indisponible';
  if (status >= 500) return 'Erreur du serveur';
  return 'Requête invalide';
}

/** A French reason for the first schema error, for the 400 that names the parameter. */
function reasonOf(error: FastifyError): string {
  const first = error.validation?.[0];
  const params = (first?.params ?? {}) as Record<string, unknown>;
  switch (first?.keyword) {
    case 'maxLength':
      return `${params.limit} caractères au maximum`;
    case 'minLength':
      return params.limit === 1 ? 'valeur vide' : `${params.limit} caractères au minimum`;
    case 'minimum':
      return `doit être supérieur ou égal à ${params.limit}`;
    case 'maximum':
      return `doit être inférieur ou égal à ${params.limit}`;
    case 'exclusiveMinimum':
      return `doit être supérieur à ${params.limit}`;
    case 'type':
      return params.type === 'integer' ? 'nombre entier attendu' : params.type === 'number' ? 'nombre attendu' : `type attendu : ${params.type}`;
    case 'enum':
    case 'anyOf':
    case 'const':
      return 'valeur non reconnue';
    case 'pattern':
    case 'format':
      return 'format invalide';
    case 'required':
      return 'paramètre obligatoire';
    case 'additionalProperties':
      return 'paramètre inconnu';
    case 'maxItems':
      return `${params.limit} valeurs au maximum`;
    default:
      return first?.message ?? 'valeur invalide';
  }
}

/**
 * A URL the router cannot decode (bad percent-encoding) is refused before any plugin runs, so it
 * gets a plain French answer here (Fastify's `frameworkErrors`): no page layout is available yet.
 */
export function answerBadUrl(_error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const message = 'Cette adresse contient un caractère mal encodé : vérifiez-la ou repartez de l’accueil.';
  if (isApi(request)) return reply.code(400).send({ error: 'bad_request', message });
  return reply.code(400).type('text/plain; charset=utf-8').send(message);
}

/** One error handler: messages are shown only below 500; above, a generic French page and a log line. */
export default fp(
  async (app) => {
    app.addSchema(ApiError);
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      if (error.validation) {
        const parameter = parameterOf(error);
        const message = `Paramètre « ${parameter} » invalide : ${reasonOf(error)}.`;
        // A page address with a bad id is an address that does not exist.
        if (!isApi(request) && error.validationContext === 'params') return renderError(request, reply, 404, NOT_FOUND);
        return renderError(request, reply, 400, message, { code: 'invalid_parameter', parameter });
      }
      if (csrfCodes.has(error.code)) {
        return renderError(request, reply, 403, 'Ce formulaire a expiré ou n’a pas pu être vérifié. Rechargez la page et réessayez.');
      }
      if (error instanceof AppError) {
        const parameter = error instanceof ParameterError ? error.parameter : undefined;
        return renderError(request, reply, error.statusCode, error.message, { code: error.code, parameter });
      }
      // A database outage is brief and expected (restart, failover): a 503 to retry, not a 500.
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        return renderError(request, reply, 503, UNAVAILABLE);
      }
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'unhandled error');
        return renderError(request, reply, status, 'Une erreur inattendue s’est produite. L’équipe a été prévenue ; réessayez dans un instant.');
      }
      if (status === 413) return renderError(request, reply, 413, 'Le fichier ou le formulaire envoyé est trop volumineux.');
      if (status === 429) return renderError(request, reply, 429, error.message);
      return renderError(request, reply, status, status === 404 ? 'Cette page n’existe pas.' : 'La requête n’a pas pu être traitée.');
    });

    app.setNotFoundHandler(async (request, reply) => renderError(request, reply, 404, NOT_FOUND));
  },
  { name: 'errors', dependencies: ['view'] },
);
