import { formatters } from './format.js';
/** Errors the domain raises on purpose; the error handler shows their message (status < 500). */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code = 'error',
  ) {
    super(message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Cette page n’existe pas ou n’est pas accessible.') {
    super(404, message, 'not_found');
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Vous n’avez pas accès à cette action.') {
    super(403, message, 'forbidden');
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, message, 'conflict');
  }
}

/** A request parameter that makes no sense (bbox inverted, unknown commune…): a 400 naming it. */
export class ParameterError extends AppError {
  constructor(
    readonly parameter: string,
    readonly reason: string,
  ) {
    super(400, `Paramètre « ${parameter} » invalide : ${reason}.`, 'invalid_parameter');
  }
}

export type FieldErrors = Record<string, string>;

/** Bad form input: the form is shown again with a message next to each field. */
export class ValidationError extends AppError {
  constructor(readonly fields: FieldErrors) {
    super(422, 'Le formulaire contient des erreurs.', 'validation');
  }
}

/** What a person told to wait is told: the minutes left, never 0. */
export function tooManyAttemptsMessage(retryAfterSeconds: number): string {
  return `Trop de tentatives. Réessayez dans ${formatters.plural(Math.max(1, Math.ceil(retryAfterSeconds / 60)), 'minute', 'minutes')}.`;
}
