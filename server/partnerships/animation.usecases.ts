import { type AttendanceGroup, sessionPeriodicities } from '../../db/schema/partnerships.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { slots } from '../kernel/taxonomy.js';
import { NotFoundError } from '../lib/errors.js';
import { formatters, frenchTime } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { type Access, actingSide, requireEditor } from './access.js';
import { addDays, slotTimes, weekday } from './calendar.js';
import {
  findDeadline,
  findMeeting,
  findSession,
  insertDeadlines,
  insertMeeting,
  insertSessions,
  updateDeadline,
  updateMeeting,
  updateSession,
} from './calendar.repository.js';
import { reconcileConvention, type TextChange } from './convention.usecases.js';
import { recordChange } from './events.js';
import { findPartnership, updatePartnership } from './partnerships.repository.js';
import { regenerateSessions } from './schedule.js';

const f = formatters;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** How many age-group rows the session form offers. */
export const ATTENDANCE_GROUP_ROWS = 3;

/**
 * The optional age-group rows of the session form (groupNAgeMin, groupNAgeMax, groupNPresent): a
 * row with anything in it needs all three, ages 3 to 17 with min ≤ max, 0 to 200 present.
 */
function readAttendanceGroups(form: FormReader): AttendanceGroup[] {
  const groups: AttendanceGroup[] = [];
  for (let n = 1; n <= ATTENDANCE_GROUP_ROWS; n++) {
    const names = { min: `group${n}AgeMin`, max: `group${n}AgeMax`, present: `group${n}Present` };
    if (![names.min, names.max, names.present].some((name) => form.raw(name).trim())) continue;
    const ageMin = form.int(names.min, { min: 3, max: 17 });
    const ageMax = form.int(names.max, { min: 3, max: 17 });
    const present = form.int(names.present, { min: 0, max: 200 });
    if (!form.raw(names.min).trim()) form.fail(names.min, `Indiquez l’âge minimum du groupe ${n}.`);
    if (!form.raw(names.max).trim()) form.fail(names.max, `Indiquez l’âge maximum du groupe ${n}.`);
    if (!form.raw(names.present).trim()) form.fail(names.present, `Indiquez le nombre d’enfants présents du groupe ${n}.`);
    if (ageMin !== null && ageMax !== null && ageMin > ageMax) form.fail(names.max, 'L’âge maximum doit être supérieur ou égal à l’âge minimum.');
    if (ageMin === null || ageMax === null || present === null) continue;
    groups.push({ label: f.ages(ageMin, ageMax), ageMin, ageMax, present });
  }
  return groups;
}

function readTime(form: FormReader, name: string, options: { required?: boolean } = {}): string | null {
  const value = form.raw(name);
  if (!value) {
    if (options.required) form.fail(name, 'Indiquez une heure.');
    return null;
  }
  const normalised = value.replace(/\s*h\s*/i, ':').replace(/:$/, ':00');
  const padded = /^\d:/.test(normalised) ? `0${normalised}` : normalised;
  if (!TIME.test(padded)) {
    form.fail(name, 'Heure invalide (format attendu : 09:30).');
    return null;
  }
  return padded;
}

function checkTimes(form: FormReader, start: string | null, end: string | null, endName = 'endTime'): void {
  if (start && end && end <= start) form.fail(endName, 'L’heure de fin doit suivre l’heure de début.');
}

/** Step 4: the rules of the calendar (period, slot and times, rhythm); the sessions are generated again. */
export async function saveCalendarRules(deps: Deps, access: Access, body: Record<string, unknown>) {
  requireEditor(access);
  const form = new FormReader(body);
  const periodicity = form.oneOf('periodicity', sessionPeriodicities, { required: true });
  const periodStart = form.date('periodStart', { required: true });
  const periodEnd = form.date('periodEnd', { required: periodicity !== 'cycle' && periodicity !== 'ponctuel' });
  if (periodStart && periodEnd && periodEnd < periodStart) form.fail('periodEnd', 'La fin de la période doit suivre son début.');
  if (periodStart && periodEnd && periodEnd > addDays(periodStart, 366)) form.fail('periodEnd', 'La période dure une année scolaire au plus.');
  const slot = form.oneOf(
    'slot',
    slots.map((s) => s.value),
  );
  const defaults = slot ? slotTimes[slot] : undefined;
  const startTime = readTime(form, 'startTime') ?? defaults?.start ?? null;
  const endTime = readTime(form, 'endTime') ?? defaults?.end ?? null;
  if (!startTime) form.fail('startTime', 'Choisissez un créneau ou indiquez l’heure de début.');
  if (!endTime) form.fail('endTime', 'Choisissez un créneau ou indiquez l’heure de fin.');
  checkTimes(form, startTime, endTime);
  const monthlyWeek = periodicity === 'mensuel' ? (form.int('monthlyWeek', { required: true, min: -1, max: 4 }) ?? 1) : 1;
  if (monthlyWeek === 0) form.fail('monthlyWeek', 'Choisissez le mercredi du mois.');
  const cycleCount = periodicity === 'cycle' ? form.int('cycleCount', { required: true, min: 1, max: 60 }) : null;
  const place = form.text('place', { max: 300 });
  form.assertValid();
  const p = access.partnership;
  return deps.db.transaction(async (tx) => {
    await updatePartnership(
      tx,
      p.id,
      { periodicity, periodStart, periodEnd, slot, startTime, endTime, monthlyWeek, cycleCount, place, schoolYear: p.schoolYear },
      deps.clock.now(),
    );
    const fresh = (await findPartnership(tx, p.id))!;
    const calendar = await regenerateSessions(tx, fresh);
    const side = access.sides[0] ?? null;
    await recordChange(deps, tx, access, {
      action: 'calendar.generated',
      summary: `Calendrier établi : ${f.plural(calendar.dates.length, 'séance', 'séances')}${calendar.dates.length ? ` du ${f.date(calendar.dates[0])} au ${f.date(calendar.dates.at(-1))}` : ''}, de ${frenchTime(startTime!)} à ${frenchTime(endTime!)}.`,
      notify: { title: 'Le calendrier des séances a été établi', path: `/partenariats/${p.id}/animation#seances` },
    });
    const convention = await reconcileConvention(deps, tx, p.id, access.user.id, side, form.bool('confirm'));
    return { ...calendar, convention };
  });
}

/** Adds a session by hand (any date; a warning is shown when it is not a Wednesday). */
export async function addSession(deps: Deps, access: Access, body: Record<string, unknown>): Promise<TextChange> {
  requireEditor(access);
  const form = new FormReader(body);
  const date = form.date('date', { required: true });
  const p = access.partnership;
  const startTime = readTime(form, 'startTime') ?? p.startTime ?? '09:30';
  const endTime = readTime(form, 'endTime') ?? p.endTime ?? '11:30';
  checkTimes(form, startTime, endTime);
  const notes = form.text('notes', { max: 2000, multiline: true });
  form.assertValid();
  return deps.db.transaction(async (tx) => {
    await insertSessions(tx, [
      { partnershipId: p.id, date: date!, startTime, endTime, notes, manual: true, createdAt: deps.clock.now(), updatedAt: deps.clock.now() },
    ]);
    await recordChange(deps, tx, access, {
      action: 'session.added',
      summary: `Séance ajoutée le ${f.date(date)} de ${frenchTime(startTime)} à ${frenchTime(endTime)}${weekday(date!) === 3 ? '' : ' (hors mercredi)'}.`,
      notify: { title: `Séance ajoutée le ${f.date(date)}`, path: `/partenariats/${p.id}/animation#seances` },
    });
    return reconcileConvention(deps, tx, p.id, access.user.id, access.sides[0] ?? null, form.bool('confirm'));
  });
}

const statusLabels = { planned: 'prévue', held: 'réalisée', cancelled: 'annulée' } as const;

/** One session: move it, cancel it with a reason, record it (held, children present, notes). */
export async function editSession(deps: Deps, access: Access, sessionId: number, body: Record<string, unknown>): Promise<TextChange> {
  requireEditor(access);
  const p = access.partnership;
  const session = await findSession(deps.db, p.id, sessionId);
  if (!session) throw new NotFoundError();
  const form = new FormReader(body);
  const date = form.date('date', { required: true });
  const startTime = readTime(form, 'startTime', { required: true });
  const endTime = readTime(form, 'endTime', { required: true });
  checkTimes(form, startTime, endTime);
  const status = form.oneOf('status', ['planned', 'held', 'cancelled'] as const, { required: true });
  const cancelReason = form.text('cancelReason', { max: 500 });
  if (status === 'cancelled' && !cancelReason) form.fail('cancelReason', 'Indiquez le motif de l’annulation.');
  const total = form.int('childrenPresent', { min: 0, max: 500 });
  const groups = readAttendanceGroups(form);
  const sum = groups.reduce((n, g) => n + g.present, 0);
  if (groups.length && total !== null && total !== sum)
    form.fail('childrenPresent', `Le total (${total}) ne correspond pas à la somme des groupes (${sum}) : corrigez-le ou videz ce champ.`);
  // With age groups, the total is their sum.
  const childrenPresent = groups.length ? sum : total;
  const groupsGiven = Array.from({ length: ATTENDANCE_GROUP_ROWS }, (_, i) => ['AgeMin', 'AgeMax', 'Present'].map((k) => `group${i + 1}${k}`))
    .flat()
    .some((name) => form.raw(name).trim() !== '');
  // What happened is recorded on the day or after: a future session feeds no bilan.
  if (date && date > parisToday(deps.clock.now())) {
    if (status === 'held') form.fail('status', `Cette séance est à venir (${f.date(date)}) : elle ne peut être marquée réalisée qu’à partir de ce jour.`);
    if (total !== null) form.fail('childrenPresent', 'La présence des enfants se renseigne le jour de la séance ou après.');
    if (groupsGiven) form.fail('group1Present', 'La présence par groupe d’âge se renseigne le jour de la séance ou après.');
  }
  if (status === 'cancelled' && childrenPresent) form.fail('childrenPresent', 'Une séance annulée n’a pas d’enfants présents : videz ce champ.');
  const notes = form.text('notes', { max: 3000, multiline: true });
  form.assertValid();
  const changes: string[] = [];
  const moved = date !== session.date || startTime !== session.startTime || endTime !== session.endTime;
  if (date !== session.date) changes.push(`déplacée au ${f.date(date)}`);
  if (startTime !== session.startTime || endTime !== session.endTime) changes.push(`horaires ${frenchTime(startTime!)}–${frenchTime(endTime!)}`);
  if (status !== session.status) changes.push(`${statusLabels[status!]}${status === 'cancelled' ? ` (motif : ${cancelReason})` : ''}`);
  if (childrenPresent !== session.childrenPresent)
    changes.push(`${(childrenPresent ?? 0) > 1 ? `${childrenPresent} enfants présents` : `${childrenPresent ?? 0} enfant présent`}`);
  if (JSON.stringify(groups) !== JSON.stringify(session.attendanceGroups))
    changes.push(groups.length ? `par âge (${groups.map((g) => `${g.label} : ${g.present}`).join(', ')})` : 'présence par âge effacée');
  if (notes !== session.notes) changes.push('notes modifiées');
  if (changes.length === 0) return 'none';
  return deps.db.transaction(async (tx) => {
    await updateSession(tx, session.id, {
      date: date!,
      startTime: startTime!,
      endTime: endTime!,
      status: status!,
      cancelReason: status === 'cancelled' ? cancelReason : null,
      childrenPresent,
      attendanceGroups: groups,
      notes,
      manual: session.manual || moved,
      originalDate: moved ? (session.originalDate ?? session.date) : session.originalDate,
      reminderSentAt: moved ? null : session.reminderSentAt,
      updatedAt: deps.clock.now(),
    });
    const important = moved || (status === 'cancelled' && session.status !== 'cancelled');
    await recordChange(deps, tx, access, {
      action: 'session.updated',
      summary: `Séance du ${f.date(session.date)} : ${changes.join(', ')}.`,
      notify: important
        ? { title: `Séance du ${f.date(session.date)} ${status === 'cancelled' ? 'annulée' : 'modifiée'}`, path: `/partenariats/${p.id}/animation#seances` }
        : undefined,
    });
    return reconcileConvention(deps, tx, p.id, access.user.id, access.sides[0] ?? null, form.bool('confirm'));
  });
}

/** A rendez-vous between the parties, with its agenda; the minutes come after. */
export async function saveMeeting(deps: Deps, access: Access, meetingId: number | null, body: Record<string, unknown>): Promise<void> {
  requireEditor(access);
  const p = access.partnership;
  const existing = meetingId ? await findMeeting(deps.db, p.id, meetingId) : null;
  if (meetingId && !existing) throw new NotFoundError();
  const form = new FormReader(body);
  const date = form.date('date', { required: true });
  const startTime = readTime(form, 'startTime', { required: true });
  const endTime = readTime(form, 'endTime', { required: true });
  checkTimes(form, startTime, endTime);
  const place = form.text('place', { max: 300 });
  const agenda = form.text('agenda', { required: true, max: 3000, multiline: true });
  const minutes = form.text('minutes', { max: 10_000, multiline: true });
  const participants = form.text('participants', { max: 1000, multiline: true });
  form.assertValid();
  const values = { date: date!, startTime: startTime!, endTime: endTime!, place, agenda, minutes, participants, updatedAt: deps.clock.now() };
  await deps.db.transaction(async (tx) => {
    if (existing) await updateMeeting(tx, existing.id, values);
    else await insertMeeting(tx, { ...values, partnershipId: p.id, purpose: 'meeting', createdBy: access.user.id, createdAt: deps.clock.now() });
    const summary = existing
      ? `Rendez-vous du ${f.date(date)} modifié${minutes && !existing.minutes ? ' : compte rendu ajouté' : ''}.`
      : `Rendez-vous fixé le ${f.date(date)} à ${frenchTime(startTime!)}${place ? ` (${place})` : ''}.`;
    await recordChange(deps, tx, access, {
      action: existing ? 'meeting.updated' : 'meeting.created',
      summary,
      notify: {
        title: existing ? `Rendez-vous du ${f.date(date)} mis à jour` : `Rendez-vous le ${f.date(date)}`,
        path: `/partenariats/${p.id}/animation#rendez-vous`,
      },
    });
  });
}

export async function addDeadline(deps: Deps, access: Access, body: Record<string, unknown>): Promise<void> {
  requireEditor(access);
  const form = new FormReader(body);
  const dueDate = form.date('dueDate', { required: true });
  const label = form.text('label', { required: true, max: 200 });
  const side = form.oneOf('responsible', ['acm', 'partner'] as const);
  form.assertValid();
  const p = access.partnership;
  await deps.db.transaction(async (tx) => {
    await insertDeadlines(tx, [{ partnershipId: p.id, dueDate: dueDate!, label, side, createdBy: access.user.id, createdAt: deps.clock.now() }]);
    await recordChange(deps, tx, access, {
      action: 'deadline.added',
      summary: `Échéance ajoutée : ${label} (${f.date(dueDate)}).`,
      notify: { title: `Nouvelle échéance : ${label}`, path: `/partenariats/${p.id}/animation#echeances` },
    });
  });
}

export async function toggleDeadline(deps: Deps, access: Access, deadlineId: number, body: Record<string, unknown>): Promise<void> {
  const side = actingSide(access, new FormReader(body).raw('side') || null);
  const p = access.partnership;
  const deadline = await findDeadline(deps.db, p.id, deadlineId);
  if (!deadline) throw new NotFoundError();
  const done = !deadline.doneAt;
  await deps.db.transaction(async (tx) => {
    await updateDeadline(tx, deadline.id, { doneAt: done ? deps.clock.now() : null, doneBy: done ? access.user.id : null });
    await recordChange(deps, tx, access, {
      side,
      action: done ? 'deadline.done' : 'deadline.reopened',
      summary: `Échéance « ${deadline.label} » ${done ? 'faite' : 'rouverte'}.`,
    });
  });
}
