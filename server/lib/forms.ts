import type { FastifyReply } from 'fastify';
import { ValidationError } from './errors.js';

/**
 * For a form handler's catch: shows the form again (422) with the submitted values and a message
 * next to each bad field; anything else goes on to the error handler.
 */
export function showFormErrors(reply: FastifyReply, template: string, values: unknown, data: Record<string, unknown> = {}) {
  return (error: unknown) => {
    if (error instanceof ValidationError) return reply.page(template, { ...data, values: values ?? {}, errors: error.fields }, 422);
    throw error;
  };
}
