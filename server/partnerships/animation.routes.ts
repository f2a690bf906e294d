import { Type } from '@sinclair/typebox';
import { currentUser, requireUser } from '../accounts/guards.js';
import { parisToday } from '../kernel/paris-time.js';
import { periodicities, slots } from '../kernel/taxonomy.js';
import { NotFoundError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { formBody, formText, IdParam } from '../lib/schemas.js';
import type { App } from '../types.js';
import { ATTENDANCE_GROUP_ROWS, addDeadline, addSession, editSession, saveCalendarRules, saveMeeting, toggleDeadline } from './animation.usecases.js';
import { slotTimes } from './calendar.js';
import { findMeeting, findSession, listSessions, listUserFeeds } from './calendar.repository.js';
import { reference } from './convention.js';
import { type TextChange, textChangeMessage } from './convention.usecases.js';
import { findOrganisationDetails } from './partnerships.repository.js';
import { programmePdf } from './programme-pdf.js';
import { computeCalendar } from './schedule.js';
import { accessFor, handleForm, renderWorkspacePage } from './workspace.http.js';
import type { Workspace } from './workspace.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const SessionParams = Type.Object({ id: Id, sessionId: Id });
const MeetingParams = Type.Object({ id: Id, meetingId: Id });
const DeadlineParams = Type.Object({ id: Id, deadlineId: Id });

const TITLE = '4 · Animation';
const monthlyWeeks = [
  { value: '1', label: 'Le premier mercredi du mois' },
  { value: '2', label: 'Le deuxième mercredi du mois' },
  { value: '3', label: 'Le troisième mercredi du mois' },
  { value: '4', label: 'Le quatrième mercredi du mois' },
  { value: '-1', label: 'Le dernier mercredi du mois' },
];

export default async function animationRoutes(app: App) {
  const { deps } = app;

  function animationData(userId: number) {
    return async (ws: Workspace) => {
      const [calendar, feeds] = await Promise.all([computeCalendar(deps.db, ws.partnership), listUserFeeds(deps.db, userId)]);
      return {
        calendar,
        feeds: feeds.filter((f) => f.feed.partnershipId === ws.partnership.id),
        periodicities,
        slots,
        slotTimes,
        monthlyWeeks,
      };
    };
  }

  const form = (userId: number, name: string) => ({ template: 'animation', title: TITLE, form: name, load: animationData(userId) });

  app.get('/partenariats/:id/animation', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return renderWorkspacePage(deps, reply, access, 'animation', TITLE, animationData(access.user.id));
  });

  /** The programme of the sessions for families, for whoever can read the workspace. */
  app.get('/partenariats/:id/programme.pdf', { preHandler: requireUser, schema: { params: IdParam } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const p = access.partnership;
    const [acm, partner, sessions] = await Promise.all([
      findOrganisationDetails(deps.db, p.acmId),
      findOrganisationDetails(deps.db, p.partnerId),
      listSessions(deps.db, p.id),
    ]);
    if (!acm || !partner) throw new NotFoundError();
    const acmAddress = [acm.address, [acm.postcode, acm.communeName].filter(Boolean).join(' ')].filter((s) => s?.trim()).join(', ');
    const ref = reference(p);
    const pdf = await programmePdf({
      title: p.title,
      reference: ref,
      partnerName: partner.name,
      acmName: acm.name,
      place: p.place.trim() || (acmAddress ? `${acm.name}, ${acmAddress}` : ''),
      ageMin: p.ageMin,
      ageMax: p.ageMax,
      objectives: p.objectives.map((o) => o.general.trim()).filter(Boolean),
      sessions,
      generatedOn: formatters.date(parisToday(deps.clock.now())),
    });
    return reply
      .type('application/pdf')
      .header('Content-Disposition', `attachment; filename="programme-${ref}.pdf"`)
      .header('Cache-Control', 'private, no-store')
      .send(pdf);
  });

  app.post(
    '/partenariats/:id/calendrier',
    {
      preHandler: requireUser,
      schema: {
        params: IdParam,
        body: formBody({
          periodicity: formText(20),
          periodStart: formText(20),
          periodEnd: formText(20),
          slot: formText(40),
          startTime: formText(10),
          endTime: formText(10),
          monthlyWeek: formText(5),
          cycleCount: formText(10),
          place: formText(),
          confirm: formText(10),
        }),
      },
    },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      let created = 0;
      let change: TextChange = 'none';
      return handleForm(deps, reply, access, {
        ...form(access.user.id, 'calendar'),
        run: async () => {
          const result = await saveCalendarRules(deps, access, request.body);
          created = result.dates.length;
          change = result.convention;
        },
        success: () =>
          textChangeMessage(change, `Les règles du calendrier sont enregistrées : ${formatters.plural(created, 'séance calculée', 'séances calculées')}.`),
        redirect: `/partenariats/${access.partnership.id}/animation#seances`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/seances',
    {
      preHandler: requireUser,
      schema: {
        params: IdParam,
        body: formBody({ date: formText(20), startTime: formText(10), endTime: formText(10), notes: formText(), confirm: formText(10) }),
      },
    },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      let change: TextChange = 'none';
      return handleForm(deps, reply, access, {
        ...form(access.user.id, 'add-session'),
        run: async () => {
          change = await addSession(deps, access, request.body);
        },
        success: () => textChangeMessage(change, 'La séance est ajoutée au calendrier.'),
        redirect: `/partenariats/${access.partnership.id}/animation#seances`,
        values: request.body,
      });
    },
  );

  const sessionBody = formBody({
    date: formText(20),
    startTime: formText(10),
    endTime: formText(10),
    status: formText(20),
    cancelReason: formText(),
    childrenPresent: formText(10),
    ...Object.fromEntries(
      Array.from({ length: ATTENDANCE_GROUP_ROWS }, (_, i) => [`group${i + 1}AgeMin`, `group${i + 1}AgeMax`, `group${i + 1}Present`]).flatMap((names) =>
        names.map((name) => [name, formText(10)]),
      ),
    ),
    notes: formText(),
    confirm: formText(10),
  });

  app.get('/partenariats/:id/seances/:sessionId', { preHandler: requireUser, schema: { params: SessionParams } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const session = await findSession(deps.db, access.partnership.id, request.params.sessionId);
    if (!session) throw new NotFoundError();
    return renderWorkspacePage(deps, reply, access, 'session', `Séance du ${session.date.split('-').reverse().join('/')}`, () => ({ session }));
  });

  app.post(
    '/partenariats/:id/seances/:sessionId',
    { preHandler: requireUser, schema: { params: SessionParams, body: sessionBody } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      const session = await findSession(deps.db, access.partnership.id, request.params.sessionId);
      if (!session) throw new NotFoundError();
      let change: TextChange = 'none';
      return handleForm(deps, reply, access, {
        template: 'session',
        title: `Séance du ${session.date.split('-').reverse().join('/')}`,
        form: 'session',
        load: () => ({ session }),
        run: async () => {
          change = await editSession(deps, access, session.id, request.body);
        },
        success: () => textChangeMessage(change, 'La séance est enregistrée.'),
        redirect: `/partenariats/${access.partnership.id}/animation#seance-${session.id}`,
        values: request.body,
      });
    },
  );

  const meetingBody = formBody({
    date: formText(20),
    startTime: formText(10),
    endTime: formText(10),
    place: formText(),
    agenda: formText(),
    minutes: formText(),
    participants: formText(),
  });

  app.post('/partenariats/:id/rendez-vous', { preHandler: requireUser, schema: { params: IdParam, body: meetingBody } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    return handleForm(deps, reply, access, {
      ...form(access.user.id, 'meeting'),
      run: () => saveMeeting(deps, access, null, request.body),
      success: 'Le rendez-vous est enregistré.',
      redirect: `/partenariats/${access.partnership.id}/animation#rendez-vous`,
      values: request.body,
    });
  });

  app.get('/partenariats/:id/rendez-vous/:meetingId', { preHandler: requireUser, schema: { params: MeetingParams } }, async (request, reply) => {
    const access = await accessFor(deps, request, request.params.id);
    const meeting = await findMeeting(deps.db, access.partnership.id, request.params.meetingId);
    if (!meeting) throw new NotFoundError();
    return renderWorkspacePage(deps, reply, access, 'meeting', 'Rendez-vous', () => ({ meeting }));
  });

  app.post(
    '/partenariats/:id/rendez-vous/:meetingId',
    { preHandler: requireUser, schema: { params: MeetingParams, body: meetingBody } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      const meeting = await findMeeting(deps.db, access.partnership.id, request.params.meetingId);
      if (!meeting) throw new NotFoundError();
      return handleForm(deps, reply, access, {
        template: 'meeting',
        title: 'Rendez-vous',
        form: 'meeting',
        load: () => ({ meeting }),
        run: () => saveMeeting(deps, access, meeting.id, request.body),
        success: 'Le rendez-vous est enregistré.',
        redirect: `/partenariats/${access.partnership.id}/animation#rendez-vous`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/echeances',
    { preHandler: requireUser, schema: { params: IdParam, body: formBody({ dueDate: formText(20), label: formText(), responsible: formText(20) }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      return handleForm(deps, reply, access, {
        ...form(currentUser(request).id, 'deadline'),
        run: () => addDeadline(deps, access, request.body),
        success: 'L’échéance est ajoutée.',
        redirect: `/partenariats/${access.partnership.id}/animation#echeances`,
        values: request.body,
      });
    },
  );

  app.post(
    '/partenariats/:id/echeances/:deadlineId/basculer',
    { preHandler: requireUser, schema: { params: DeadlineParams, body: formBody({ side: formText(20) }) } },
    async (request, reply) => {
      const access = await accessFor(deps, request, request.params.id);
      await toggleDeadline(deps, access, request.params.deadlineId, request.body);
      reply.flash('success', 'L’échéance est mise à jour.');
      return reply.redirect(`/partenariats/${access.partnership.id}/animation#echeances`, 303);
    },
  );
}
