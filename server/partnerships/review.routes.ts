import { Type } from '@sinclair/typebox';
import { requireUser } from '../accounts/guards.js';
import { formText, IdParam } from '../lib/schemas.js';
import type { App } from '../types.js';
import { findRenewal } from './partnerships.repository.js';
import {
  attendanceByAge,
  compareReviews,
  type DecisionOutcome,
  decide,
  decimalFields,
  decisionLabels,
  numberFields,
  reviewDraft,
  reviewFieldLabels,
  saveReview,
  scoreItems,
  scoreLabels,
} from './review.usecases.js';
import { accessFor, handleForm, renderWorkspacePage } from './workspace.http.js';
import type { Workspace } from './workspace.js';

const TITLE = '5 · Bilan';

const quantitative = [
  'sessionsPlanned',
  'sessionsHeld',
  'sessionsCancelled',
  'cancellationReasons',
  'childrenEnrolled',
  'averageAttendance',
  'childrenWithDisability',
  'childHours',
  'interventionHours',
  'costPlannedEur',
  'costActualEur',
  'finalRealisation',
  'enrolmentsAfter',
  'incidents',
  'inclusion',
  'recommendation',
  'recommendationReason',
  'intent',
  'side',
];

const ReviewBody = Type.Object(
  { _csrf: Type.Optional(Type.String({ maxLength: 500 })), ...Object.fromEntries(quantitative.map((k) => [k, formText(5000)])) },
  { additionalProperties: false, patternProperties: { '^(score|comment)_[a-z]{2,20}_[a-z0-9-]{1,40}$': Type.String({ maxLength: 3000 }) } },
);
const DecisionBody = Type.Object(
  {
    _csrf: Type.Optional(Type.String({ maxLength: 500 })),
    side: formText(20),
    intent: formText(20),
    decision: formText(20),
    decisionReason: formText(),
    proposedAt: formText(40),
  },
  { additionalProperties: false },
);

const decisionMessages: Record<DecisionOutcome['outcome'], string> = {
  proposed: 'Votre proposition est envoyée : l’autre structure doit la confirmer.',
  withdrawn: 'Votre proposition est retirée.',
  decided: 'La décision est enregistrée.',
};

export default async function reviewRoutes(app: App) {
  const { deps } = app;

  async function reviewData(ws: Workspace) {
    const other = { acm: ws.partner.name, partner: ws.acm.name } as const;
    const drafts = {
      acm: reviewDraft(
        ws.partnership,
        ws.sessions,
        ws.reviews.find((r) => r.side === 'acm'),
        other.acm,
      ),
      partner: reviewDraft(
        ws.partnership,
        ws.sessions,
        ws.reviews.find((r) => r.side === 'partner'),
        other.partner,
      ),
    };
    const submitted = ws.reviews.filter((r) => r.submittedAt);
    const acmReview = submitted.find((r) => r.side === 'acm');
    const partnerReview = submitted.find((r) => r.side === 'partner');
    return {
      renewedTo: ws.partnership.decision === 'renew' ? await findRenewal(deps.db, ws.partnership.id) : null,
      comparison: acmReview && partnerReview ? compareReviews(acmReview, partnerReview) : null,
      reviewFieldLabels,
      numberFields,
      decimalFields,
      drafts,
      attendanceByAge: attendanceByAge(ws.sessions),
      items: { acm: scoreItems(ws.partnership, other.acm), partner: scoreItems(ws.partnership, other.partner) },
      reviewBySide: { acm: ws.reviews.find((r) => r.side === 'acm'), partner: ws.reviews.find((r) => r.side === 'partner') },
      bothSubmitted: submitted.length === 2,
      decisionLabels,
      scoreLabels,
    };
  }

  app.get('/partenariats/:id/bilan', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return renderWorkspacePage(deps, reply, access, 'review', TITLE, reviewData);
  });

  app.post('/partenariats/:id/bilan', { preHandler: requireUser, schema: { params: IdParam, body: ReviewBody } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const body = request.body as Record<string, unknown>;
    return handleForm(deps, reply, access, {
      template: 'review',
      title: TITLE,
      form: `review-${String(body.side ?? '')}`,
      load: reviewData,
      run: () => saveReview(deps, access, body),
      success: body.intent === 'submit' ? 'Votre bilan est envoyé.' : 'Brouillon enregistré : envoyez votre bilan quand il est complet.',
      redirect: `/partenariats/${access.partnership.id}/bilan`,
      values: body,
    });
  });

  app.post('/partenariats/:id/decision', { preHandler: requireUser, schema: { params: IdParam, body: DecisionBody } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    let result: DecisionOutcome | null = null;
    const renewedId = () => (result?.outcome === 'decided' ? result.renewedId : null);
    return handleForm(deps, reply, access, {
      template: 'review',
      title: TITLE,
      form: 'decision',
      load: reviewData,
      run: async () => {
        result = await decide(deps, access, request.body);
      },
      success: () =>
        renewedId()
          ? 'Le partenariat est reconduit : voici le brouillon de l’année prochaine, que l’autre structure doit confirmer.'
          : decisionMessages[result?.outcome ?? 'decided'],
      redirect: () => (renewedId() ? `/partenariats/${renewedId()}` : `/partenariats/${access.partnership.id}/bilan#decision`),
      values: request.body,
    });
  });
}
