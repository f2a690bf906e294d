import { boolean, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { needs } from './needs.js';
import { offers } from './offers.js';
import { organisations } from './organisations.js';
import { requests } from './requests.js';

export const partnershipStatuses = ['draft', 'awaiting_confirmation', 'active', 'closed'] as const;
export type PartnershipStatus = (typeof partnershipStatuses)[number];
export const sessionPeriodicities = ['ponctuel', 'hebdomadaire', 'quinzaine', 'mensuel', 'cycle'] as const;
export type SessionPeriodicity = (typeof sessionPeriodicities)[number];
export const partnershipDecisions = ['renew', 'adjust', 'stop'] as const;
export type PartnershipDecision = (typeof partnershipDecisions)[number];

/** Children present at a session in one age group (« 6–8 ans : 8 présents »). */
export interface AttendanceGroup {
  label: string;
  ageMin: number;
  ageMax: number;
  present: number;
}

/** A general objective and the operational objectives that make it concrete. */
export interface PartnershipObjective {
  general: string;
  operational: string[];
}

/** A named intervenant of the partner (needed for the honorabilité check of the TAM declaration). */
export interface Intervenant {
  name: string;
  birthDate: string;
  birthPlace: string;
  qualification: string;
  cardNumber: string;
  cardExpiry: string;
}

/** Partnerships: created when a request is accepted or prescribed by a coordinator. */
export const partnerships = pgTable(
  'partnerships',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    requestId: integer().references(() => requests.id, { onDelete: 'set null' }),
    acmId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    partnerId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    offerId: integer().references(() => offers.id, { onDelete: 'set null' }),
    prescribedBy: integer().references(() => users.id, { onDelete: 'set null' }),
    title: text().notNull(),
    schoolYear: text().notNull(),
    status: text({ enum: partnershipStatuses }).notNull().default('active'),
    /** Previous year's partnership when this one is a renewal. */
    renewedFromId: integer(),
    /** Message of the coordinator who prescribed it. */
    prescriptionMessage: text(),
    /** The need of the ACM it was prescribed for. */
    needId: integer().references(() => needs.id, { onDelete: 'set null' }),
    // 1 · Définition (shared by both parties)
    objectives: jsonb().$type<PartnershipObjective[]>().notNull().default([]),
    expectedResults: text().notNull().default(''),
    finalRealisation: text().notNull().default(''),
    reasons: text().array().notNull().default([]),
    charterAxes: text().array().notNull().default([]),
    childrenExpected: integer(),
    ageMin: integer(),
    ageMax: integer(),
    budgetEur: numeric({ precision: 10, scale: 2 }),
    // 3 · Formalisation
    formalisation: text({ enum: ['convention', 'minutes'] })
      .notNull()
      .default('convention'),
    // 4 · Animation: the rules the session calendar is generated from
    periodStart: date({ mode: 'string' }),
    periodEnd: date({ mode: 'string' }),
    slot: text(),
    startTime: text(),
    endTime: text(),
    periodicity: text({ enum: sessionPeriodicities }),
    /** Which Wednesday of the month for a monthly rhythm: 1 to 4, or -1 for the last. */
    monthlyWeek: integer().notNull().default(1),
    cycleCount: integer(),
    place: text().notNull().default(''),
    // 5 · Bilan
    decision: text({ enum: partnershipDecisions }),
    decisionReason: text(),
    decidedAt: timestamp({ withTimezone: true }),
    decidedBy: integer().references(() => users.id, { onDelete: 'set null' }),
    /** One party's proposed decision, waiting for the other's confirmation. */
    proposedDecision: text({ enum: partnershipDecisions }),
    proposedDecisionReason: text(),
    proposedDecisionSide: text({ enum: ['acm', 'partner'] }),
    proposedDecisionAt: timestamp({ withTimezone: true }),
    proposedDecisionBy: integer().references(() => users.id, { onDelete: 'set null' }),
    closedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('partnerships_acm_idx').on(t.acmId),
    index('partnerships_partner_idx').on(t.partnerId),
    index('partnerships_prescribed_idx').on(t.prescribedBy),
    index('partnerships_need_idx').on(t.needId),
  ],
);

/** Each party's own part: commitments, resources, intervenants, confirmation. */
export const partnershipParties = pgTable(
  'partnership_parties',
  {
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    organisationId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    side: text({ enum: ['acm', 'partner'] }).notNull(),
    commitments: text().notNull().default(''),
    humanResources: text().notNull().default(''),
    materialResources: text().notNull().default(''),
    financialResources: text().notNull().default(''),
    referentName: text().notNull().default(''),
    referentContact: text().notNull().default(''),
    intervenants: jsonb().$type<Intervenant[]>().notNull().default([]),
    /** Set when the party agreed to start a prescribed or renewed partnership. */
    confirmedAt: timestamp({ withTimezone: true }),
    confirmedBy: integer().references(() => users.id, { onDelete: 'set null' }),
    /** Light formalisation: the party approved the meeting minutes. */
    minutesApprovedAt: timestamp({ withTimezone: true }),
    minutesApprovedBy: integer().references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partnershipId, t.side] }), index('partnership_parties_org_idx').on(t.organisationId)],
);

/** The convention being drafted: structured fields per section (values override the defaults). */
export const partnershipConventions = pgTable('partnership_conventions', {
  partnershipId: integer()
    .primaryKey()
    .references(() => partnerships.id, { onDelete: 'cascade' }),
  fields: jsonb().$type<Record<string, string>>().notNull().default({}),
  status: text({ enum: ['draft', 'signed'] })
    .notNull()
    .default('draft'),
  /** Signed versions so far: the next signed version gets this number plus one. */
  signedVersions: integer().notNull().default(0),
  /** Set while a change of the signed text waits for both signatures as an amendment (avenant). */
  amendmentProposedAt: timestamp({ withTimezone: true }),
  amendmentProposedBy: integer().references(() => users.id, { onDelete: 'set null' }),
  /** The party that proposed it (null when a profile change altered the text). */
  amendmentSide: text({ enum: ['acm', 'partner'] }),
  /** SHA-256 of the proposed text when last notified: a further change notifies again. */
  amendmentHash: text(),
  /**
   * The offer and both organisations as they were when the text in force was signed: a signed
   * convention is rendered from them, never from the live offer or profiles (null before signature).
   */
  signedSources: jsonb().$type<{ acm: unknown; partner: unknown; offer: unknown }>(),
  /** Set while a proposed amendment takes up the live offer and profiles instead of the signed ones. */
  followsLiveSources: boolean().notNull().default(false),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedBy: integer().references(() => users.id, { onDelete: 'set null' }),
});

/** A party's signature over the SHA-256 of the exact convention text; voided by any later change. */
export const conventionSignatures = pgTable(
  'convention_signatures',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    side: text({ enum: ['acm', 'partner'] }).notNull(),
    organisationId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    userId: integer().references(() => users.id, { onDelete: 'set null' }),
    signerName: text().notNull(),
    signerRole: text().notNull(),
    textHash: text().notNull(),
    signedAt: timestamp({ withTimezone: true }).notNull(),
    voidedAt: timestamp({ withTimezone: true }),
    voidReason: text(),
    /** The signed version (convention or amendment) this signature completed; null while pending. */
    version: integer(),
  },
  (t) => [index('convention_signatures_partnership_idx').on(t.partnershipId)],
);

/** Signed versions, kept with their exact text and hash. */
export const conventionVersions = pgTable(
  'convention_versions',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    text: text().notNull(),
    textHash: text().notNull(),
    signatures: jsonb().$type<{ side: string; organisation: string; name: string; role: string; signedAt: string }[]>().notNull(),
    signedAt: timestamp({ withTimezone: true }).notNull(),
    /** Version 1 is the convention; each later one is an amendment (avenant n° version − 1) with the whole consolidated text. */
    kind: text({ enum: ['convention', 'amendment'] })
      .notNull()
      .default('convention'),
    /** The session dates of the calendar annex this text agreed to. */
    dates: jsonb().$type<string[]>().notNull().default([]),
    /**
     * What the text was rendered from (the convention's context as JSON): a later release renders it
     * again to tell a change of the partnership from a change of the app's own wording (null: older
     * versions, compared by their text).
     */
    inputs: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [uniqueIndex('convention_versions_key').on(t.partnershipId, t.version)],
);

export const conventionComments = pgTable(
  'convention_comments',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    section: text(),
    authorId: integer().references(() => users.id, { onDelete: 'set null' }),
    organisationId: integer().references(() => organisations.id, { onDelete: 'set null' }),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('convention_comments_partnership_idx').on(t.partnershipId, t.createdAt)],
);

export const partnershipSessions = pgTable(
  'partnership_sessions',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    date: date({ mode: 'string' }).notNull(),
    /** Local times in Europe/Paris, "09:30". */
    startTime: text().notNull(),
    endTime: text().notNull(),
    status: text({ enum: ['planned', 'held', 'cancelled'] })
      .notNull()
      .default('planned'),
    cancelReason: text(),
    childrenPresent: integer(),
    /** Attendance per age group, when recorded: childrenPresent is then their sum. */
    attendanceGroups: jsonb().$type<AttendanceGroup[]>().notNull().default([]),
    notes: text().notNull().default(''),
    /** Added by hand or moved: a new generation of the calendar keeps it. */
    manual: boolean().notNull().default(false),
    originalDate: date({ mode: 'string' }),
    reminderSentAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('partnership_sessions_partnership_idx').on(t.partnershipId, t.date), index('partnership_sessions_due_idx').on(t.status, t.date)],
);

/** Rendez-vous between the parties (and the minutes of the light formalisation). */
export const partnershipMeetings = pgTable(
  'partnership_meetings',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    purpose: text({ enum: ['meeting', 'formalisation'] })
      .notNull()
      .default('meeting'),
    date: date({ mode: 'string' }).notNull(),
    startTime: text().notNull(),
    endTime: text().notNull(),
    place: text().notNull().default(''),
    agenda: text().notNull().default(''),
    minutes: text().notNull().default(''),
    participants: text().notNull().default(''),
    createdBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('partnership_meetings_partnership_idx').on(t.partnershipId, t.date)],
);

export const partnershipDeadlines = pgTable(
  'partnership_deadlines',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    dueDate: date({ mode: 'string' }).notNull(),
    label: text().notNull(),
    /** Who has to do it; null for both parties. */
    side: text({ enum: ['acm', 'partner'] }),
    doneAt: timestamp({ withTimezone: true }),
    doneBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdBy: integer().references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('partnership_deadlines_partnership_idx').on(t.partnershipId, t.dueDate)],
);

/** Review scores: 1 (pas du tout) to 4 (tout à fait), with a comment. */
export interface ReviewScore {
  key: string;
  label: string;
  score: number | null;
  comment: string;
}

export interface ReviewAnswers {
  sessionsPlanned: number | null;
  sessionsHeld: number | null;
  sessionsCancelled: number | null;
  cancellationReasons: string;
  childrenEnrolled: number | null;
  averageAttendance: number | null;
  childrenWithDisability: number | null;
  childHours: number | null;
  interventionHours: number | null;
  costPlannedEur: string | null;
  costActualEur: string | null;
  finalRealisation: string;
  enrolmentsAfter: number | null;
  objectives: ReviewScore[];
  axes: ReviewScore[];
  satisfaction: ReviewScore[];
  coordination: ReviewScore[];
  incidents: string;
  inclusion: string;
}

/** Each party's own review (bilan); shown side by side once both are submitted. */
export const partnershipReviews = pgTable(
  'partnership_reviews',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    side: text({ enum: ['acm', 'partner'] }).notNull(),
    organisationId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    answers: jsonb().$type<ReviewAnswers>().notNull(),
    recommendation: text({ enum: partnershipDecisions }),
    recommendationReason: text().notNull().default(''),
    submittedAt: timestamp({ withTimezone: true }),
    submittedBy: integer().references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('partnership_reviews_key').on(t.partnershipId, t.side)],
);

/** Secret-token iCal feeds: one partnership, or every partnership of the user when partnershipId is null. */
export const calendarFeeds = pgTable(
  'calendar_feeds',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    partnershipId: integer().references(() => partnerships.id, { onDelete: 'cascade' }),
    /** SHA-256 of the token in the URL: the URL is shown once, when created. */
    tokenHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('calendar_feeds_token_key').on(t.tokenHash), index('calendar_feeds_user_idx').on(t.userId)],
);

export const partnershipDocumentTypes = ['assurance', 'carte-professionnelle', 'droit-image', 'devis', 'facture', 'autre'] as const;
export type PartnershipDocumentType = (typeof partnershipDocumentTypes)[number];

/** A file a party shares with the other in the partnership's documents space (insurance, diplomas, quotes…). */
export const partnershipDocuments = pgTable(
  'partnership_documents',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    partnershipId: integer()
      .notNull()
      .references(() => partnerships.id, { onDelete: 'cascade' }),
    /** The uploading party: its members may delete it and receive the expiry reminders. */
    side: text({ enum: ['acm', 'partner'] }).notNull(),
    organisationId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    uploadedBy: integer().references(() => users.id, { onDelete: 'set null' }),
    type: text({ enum: partnershipDocumentTypes }).notNull(),
    /** File name shown and sent back on download (cleaned, extension from the detected content). */
    fileName: text().notNull(),
    storageKey: text().notNull(),
    contentType: text().notNull(),
    size: integer().notNull(),
    /** Last day the document is valid (Paris calendar day), if it expires. */
    expiresOn: date({ mode: 'string' }),
    /** Set once the reminder 30 (resp. 7) days before expiry went out. */
    reminder30SentAt: timestamp({ withTimezone: true }),
    reminder7SentAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('partnership_documents_partnership_idx').on(t.partnershipId, t.createdAt), index('partnership_documents_expiry_idx').on(t.expiresOn)],
);
