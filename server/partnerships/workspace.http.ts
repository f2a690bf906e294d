import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../accounts/guards.js';
import type { Deps } from '../deps.js';
import { charterAxes, partnershipReasons, slots } from '../kernel/taxonomy.js';
import { ValidationError } from '../lib/errors.js';
import { frenchTime, unbroken } from '../lib/format.js';
import { type Access, accessPartnership, sideLabels } from './access.js';
import { sessionStatusLabels, statusLabels } from './labels.js';
import { stepStateLabels } from './progress.js';
import { loadWorkspace, type Workspace } from './workspace.js';

export async function accessFor(deps: Deps, request: FastifyRequest, id: number): Promise<Access> {
  return accessPartnership(deps, id, currentUser(request));
}

type Loader = (ws: Workspace) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** Renders a page of the workspace: the shared header data (progress, parties) plus the page's own. */
export async function renderWorkspacePage(
  deps: Deps,
  reply: FastifyReply,
  access: Access,
  template: string,
  title: string,
  load: Loader = () => ({}),
  extra: Record<string, unknown> = {},
  status = 200,
) {
  const ws = await loadWorkspace(deps, access);
  const data = await load(ws);
  return reply.page(
    `partnerships/${template}`,
    {
      title: `${title} · ${ws.partnership.title}`,
      ws,
      page: template,
      // « 14 h 30 » kept on one line on the pages (the convention's text keeps its plain spaces: its hash is signed).
      time: (time: string) => unbroken(frenchTime(time)),
      reasons: partnershipReasons,
      axes: charterAxes,
      slotOptions: slots,
      statusLabels,
      sessionStatusLabels,
      stepStateLabels,
      sideLabels,
      ...data,
      ...extra,
    },
    status,
  );
}

/**
 * Runs a form's use case: on success, a flash message and a redirect (POST → GET); on bad input,
 * the same page again (422) with a message next to each field of the form that was sent.
 */
export async function handleForm(
  deps: Deps,
  reply: FastifyReply,
  access: Access,
  options: {
    run: () => Promise<unknown>;
    success: string | (() => string);
    redirect: string | (() => string);
    template: string;
    title: string;
    form: string;
    values: unknown;
    load?: Loader;
  },
) {
  try {
    await options.run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return renderWorkspacePage(
      deps,
      reply,
      access,
      options.template,
      options.title,
      options.load,
      // The address bar shows the form's POST address, which has no page: the browser is told the page's own.
      { errors: error.fields, values: options.values, activeForm: options.form, pageUrl: typeof options.redirect === 'string' ? options.redirect : undefined },
      422,
    );
  }
  reply.flash('success', typeof options.success === 'function' ? options.success() : options.success);
  return reply.redirect(typeof options.redirect === 'function' ? options.redirect() : options.redirect, 303);
}
