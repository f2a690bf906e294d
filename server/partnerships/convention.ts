import { createHash } from 'node:crypto';
import type { offers } from '../../db/schema/index.js';
import type { Intervenant } from '../../db/schema/partnerships.js';
import { charterAxes, formats, labelOf, orgTypes, periodicities, subthemes, themes, venues } from '../kernel/taxonomy.js';
import { formatters, frenchTime } from '../lib/format.js';
import { type ComputedCalendar, weekday } from './calendar.js';
import { type FieldWording, readConventionWording, type SectionWording } from './convention-wording.js';
import type { OrganisationDetails, Partnership, Party, Side } from './partnerships.repository.js';

/**
 * The convention follows the field list of domain-research.md §(b). Each section mixes what the
 * app already knows (profiles, définition, calendar rules, each party's commitments) with
 * structured fields both sides can edit; a field left empty shows its default. The rendered plain
 * text is what each party signs (SHA-256), what versions keep and what the PDF prints.
 */

export interface ConventionContext {
  partnership: Partnership;
  acm: OrganisationDetails;
  partner: OrganisationDetails;
  offer: typeof offers.$inferSelect | null;
  parties: Record<Side, Party | undefined>;
  calendar: ComputedCalendar;
  /** The sessions of the calendar once generated: the annex lists them, moved or added ones included. */
  sessions: AgreedSession[];
  fields: Record<string, string>;
}

interface AgreedSession {
  date: string;
  startTime: string;
  endTime: string;
  status: 'planned' | 'held' | 'cancelled';
}

interface ConventionField {
  name: string;
  label: string;
  type: 'text' | 'textarea' | 'select';
  /** Who may edit it: a party's own details are edited by that party only. */
  owner: 'both' | Side;
  hint?: string;
  options?: { value: string; label: string }[];
  max: number;
  default(ctx: ConventionContext): string;
}

interface ConventionSectionDefinition {
  key: string;
  title: string;
  /** Unnumbered sections (the heading) have no article number. */
  numbered: boolean;
  fields: ConventionField[];
  lines(ctx: ConventionContext, value: (name: string) => string): string[];
}

interface RenderedSection {
  key: string;
  heading: string;
  title: string;
  lines: string[];
  fields: ConventionField[];
}

interface RenderedConvention {
  title: string;
  sections: RenderedSection[];
  text: string;
  hash: string;
  /** The session dates the calendar annex agrees to (ISO). */
  dates: string[];
}

const f = formatters;
const weekdays = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];

/**
 * The dates of the calendar annex: the sessions not cancelled once the calendar is generated (a
 * session moved to a Tuesday, or cancelled, changes the agreed dates), the rules' dates before.
 */
function agreedSessions(ctx: ConventionContext): { date: string; startTime: string | null; endTime: string | null }[] {
  if (ctx.sessions.length) return ctx.sessions.filter((s) => s.status !== 'cancelled').sort((a, b) => a.date.localeCompare(b.date));
  return ctx.calendar.dates.map((date) => ({ date, startTime: null, endTime: null }));
}

function agreedDateLabel(s: { date: string; startTime: string | null; endTime: string | null }, p: Partnership): string {
  const day = weekday(s.date);
  const other = day === 3 ? '' : ` (${weekdays[day]})`;
  const times =
    s.startTime && (s.startTime !== (p.startTime ?? '09:30') || s.endTime !== (p.endTime ?? '11:30'))
      ? ` de ${frenchTime(s.startTime)} à ${frenchTime(s.endTime ?? s.startTime)}`
      : '';
  return `${f.date(s.date)}${other}${times}`;
}

/** The wording (titles, labels, hints, default clauses) lives in convention.md, read once at start. */
const wording = readConventionWording(new URL('./convention.md', import.meta.url));
const usedWording = new Set<string>();

function wordingOf<T>(kind: 'sections' | 'fields', key: string): T {
  const found = wording[kind].get(key) as T | undefined;
  if (!found) throw new Error(`convention.md: no ${kind === 'sections' ? 'section' : 'field'} "${key}"`);
  usedWording.add(`${kind}:${key}`);
  return found;
}

function sectionTitle(key: string): string {
  return wordingOf<SectionWording>('sections', key).title;
}

/** The fixed lines convention.md gives a section. */
function sectionLines(key: string): string[] {
  return wordingOf<SectionWording>('sections', key).lines;
}

/** A field worded in convention.md; its default is the file's text unless the code computes it. */
function field(
  name: string,
  type: ConventionField['type'],
  owner: ConventionField['owner'],
  max: number,
  computed?: (ctx: ConventionContext) => string,
): ConventionField {
  const { label, hint, options, text } = wordingOf<FieldWording>('fields', name);
  return { name, label, type, owner, max, default: computed ?? (() => text), ...(options ? { options } : {}), ...(hint ? { hint } : {}) };
}

function text(name: string, owner: ConventionField['owner'], computed?: (ctx: ConventionContext) => string): ConventionField {
  return field(name, 'text', owner, 300, computed);
}

function area(name: string, owner: ConventionField['owner'], computed?: (ctx: ConventionContext) => string): ConventionField {
  return field(name, 'textarea', owner, 5000, computed);
}

function choice(name: string, owner: ConventionField['owner'], computed?: (ctx: ConventionContext) => string): ConventionField {
  return field(name, 'select', owner, 20, computed);
}

/** Multi-line values become one line each; empty ones a placeholder. */
function block(value: string, placeholder = 'À préciser.'): string[] {
  const lines = value
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length ? lines : [placeholder];
}

/** « Label : value » on one line when the value is one paragraph, else the label then its paragraphs. */
function labelled(label: string, value: string, placeholder = 'À préciser.'): string[] {
  const lines = block(value, '');
  if (lines.length > 1) return [`${label} :`, ...lines];
  const line = lines[0] || placeholder.charAt(0).toLowerCase() + placeholder.slice(1);
  return [`${label} : ${line}`];
}

function orNot(value: string | null | undefined): string {
  return value?.trim() ? value.trim() : 'non renseigné';
}

export function reference(partnership: Partnership): string {
  return `PM-${partnership.schoolYear.slice(0, 4)}-${String(partnership.id).padStart(5, '0')}`;
}

function address(org: OrganisationDetails): string {
  return [org.address, [org.postcode, org.communeName].filter(Boolean).join(' ')].filter((s) => s?.trim()).join(', ') || 'non renseignée';
}

/** `sessions`: the dates agreed, which a cycle's count must match (a cancelled one is not among them). */
function rhythm(p: Partnership, sessions: number): string {
  if (p.periodicity === 'mensuel') {
    const nth = p.monthlyWeek === -1 ? 'le dernier' : ['le premier', 'le deuxième', 'le troisième', 'le quatrième'][(p.monthlyWeek ?? 1) - 1];
    return `${nth} mercredi de chaque mois`;
  }
  if (p.periodicity === 'cycle') return `un cycle de ${sessions} séances, un mercredi par semaine`;
  if (p.periodicity === 'quinzaine') return 'un mercredi sur deux';
  if (p.periodicity === 'hebdomadaire') return 'chaque mercredi';
  return labelOf(periodicities, p.periodicity).toLowerCase();
}

function objectiveLines(p: Partnership): string[] {
  if (p.objectives.length === 0) return ['Objectifs à définir (étape 1 · Définition).'];
  return p.objectives.flatMap((o, i) => [`Objectif général ${i + 1} : ${o.general}`, ...o.operational.map((op) => `  • ${op}`)]);
}

function intervenantLine(i: Intervenant): string {
  const birth = [i.birthDate ? `né·e le ${f.date(i.birthDate)}` : '', i.birthPlace ? `à ${i.birthPlace}` : ''].filter(Boolean).join(' ');
  const card = i.cardNumber ? `carte professionnelle n° ${i.cardNumber}${i.cardExpiry ? ` (valable jusqu’au ${f.date(i.cardExpiry)})` : ''}` : '';
  return `• ${[i.name, birth, i.qualification, card].filter(Boolean).join(', ')}`;
}

export function priceDefault(ctx: ConventionContext): string {
  const offer = ctx.offer;
  if (!offer) return '';
  if (offer.price === 'gratuit') return 'Intervention gratuite pour l’accueil.';
  if (offer.price === 'sur-devis') return `Sur devis${offer.priceDetails ? ` : ${offer.priceDetails}` : '.'}`;
  // « 60,00 € par séance », not « 60,00 € Par séance » (details typed as a sentence); « TTC » stays.
  const details = offer.priceEur ? (offer.priceDetails ?? '').replace(/^(\p{Lu})(?=\p{Ll})/u, (first) => first.toLowerCase()) : (offer.priceDetails ?? '');
  return `${offer.priceEur ? `${f.euros(offer.priceEur)} ` : ''}${details}`.trim();
}

export const conventionSections: ConventionSectionDefinition[] = [
  {
    key: 'entete',
    title: sectionTitle('entete'),
    numbered: false,
    fields: [
      text('intitule', 'both', (c) => c.partnership.title),
      area('cadre', 'both', (c) =>
        [
          c.acm.pedt ? 'Projet éducatif territorial (PEDT) de la commune' : '',
          c.acm.planMercrediLabel ? 'Charte qualité Plan mercredi (accueil labellisé)' : 'Charte qualité Plan mercredi',
        ]
          .filter(Boolean)
          .join('\n'),
      ),
    ],
    lines: (c, v) => [
      `Intitulé : ${v('intitule')}`,
      `Référence : ${reference(c.partnership)}`,
      `Année scolaire : ${c.partnership.schoolYear}`,
      'Cadre :',
      ...block(v('cadre')).map((l) => `  • ${l}`),
    ],
  },
  {
    key: 'organisateur',
    title: sectionTitle('organisateur'),
    numbered: true,
    fields: [text('acm_statut', 'acm'), text('acm_representant', 'acm'), text('acm_habilitation', 'acm'), text('acm_directeur', 'acm')],
    lines: (c, v) => [
      `Dénomination : ${c.acm.name}`,
      `Organisateur : ${orNot(c.acm.organiser)}`,
      `Statut : ${orNot(v('acm_statut'))}`,
      `SIRET : ${orNot(c.acm.siret)}`,
      `Adresse : ${address(c.acm)}`,
      `Représenté·e par : ${orNot(v('acm_representant'))}`,
      `Habilitation : ${orNot(v('acm_habilitation'))}`,
      `N° de déclaration de l’accueil (TAM) : ${orNot(c.acm.tamNumber)}`,
      `Direction de l’accueil : ${orNot(v('acm_directeur'))}`,
      'ci-après « l’organisateur »,',
    ],
  },
  {
    key: 'partenaire',
    title: sectionTitle('partenaire'),
    numbered: true,
    fields: [
      text('partner_representant', 'partner'),
      text('partner_referent', 'partner', (c) => [c.parties.partner?.referentName, c.parties.partner?.referentContact].filter(Boolean).join(', ')),
    ],
    lines: (c, v) => [
      `Dénomination : ${c.partner.name}`,
      `Catégorie : ${orNot(labelOf(orgTypes, c.partner.type))}`,
      `SIRET : ${orNot(c.partner.siret)}`,
      `RNA : ${orNot(c.partner.rna)}`,
      `Fédération et n° d’agrément : ${orNot([c.partner.federation, c.partner.agrementNumber].filter(Boolean).join(', n° '))}`,
      `Adresse : ${address(c.partner)}`,
      `Représenté·e par : ${orNot(v('partner_representant'))}`,
      `Référent·e : ${orNot(v('partner_referent'))}`,
      'ci-après « le partenaire ».',
    ],
  },
  {
    key: 'preambule',
    title: sectionTitle('preambule'),
    numbered: true,
    fields: [
      area('preambule', 'both', (c) =>
        [
          `${c.acm.name} (accueil collectif de mineurs) inscrit ses mercredis dans le Plan mercredi et son projet pédagogique.`,
          c.partner.description ? `${c.partner.name} : ${c.partner.description.slice(0, 600)}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      ),
    ],
    lines: (c, v) => [
      ...block(v('preambule')),
      'Axes de la charte qualité Plan mercredi visés :',
      ...(c.partnership.charterAxes.length ? c.partnership.charterAxes.map((a) => `  • ${labelOf(charterAxes, a)}`) : ['  • À préciser.']),
    ],
  },
  {
    key: 'objet',
    title: sectionTitle('objet'),
    numbered: true,
    fields: [
      area('objet', 'both', (c) =>
        c.offer
          ? `Mise en place de « ${c.offer.title} » pour les enfants de l’accueil. ${c.offer.summary}`.trim()
          : `Mise en place du partenariat « ${c.partnership.title} ».`,
      ),
    ],
    lines: (c, v) => [
      ...block(v('objet')),
      'Objectifs :',
      ...objectiveLines(c.partnership),
      `Résultats attendus : ${orNot(c.partnership.expectedResults)}`,
      `Réalisation finale : ${orNot(c.partnership.finalRealisation)}`,
    ],
  },
  {
    key: 'public',
    title: sectionTitle('public'),
    numbered: true,
    fields: [
      text('public_ages', 'both', (c) => f.ages(c.partnership.ageMin ?? c.offer?.ageMin, c.partnership.ageMax ?? c.offer?.ageMax)),
      text('public_effectif', 'both', (c) =>
        c.partnership.childrenExpected
          ? `${c.partnership.childrenExpected} enfants`
          : c.offer?.groupMax
            ? `${c.offer.groupMin ?? 1} à ${c.offer.groupMax} enfants`
            : '',
      ),
      area('public_adaptations', 'both', (c) =>
        c.acm.inclusion ? 'L’accueil accueille des enfants en situation de handicap ; les adaptations sont convenues avant la première séance.' : '',
      ),
    ],
    lines: (_c, v) => [
      `Âges : ${orNot(v('public_ages'))}`,
      `Effectif : ${orNot(v('public_effectif'))}`,
      'Inclusion et adaptations :',
      ...block(v('public_adaptations')),
    ],
  },
  {
    key: 'contenu',
    title: sectionTitle('contenu'),
    numbered: true,
    fields: [
      text('contenu_theme', 'both', (c) =>
        c.offer ? [...c.offer.themes.map((t) => labelOf(themes, t)), ...c.offer.subthemes.map((s) => labelOf(subthemes, s))].join(', ') : '',
      ),
      text('contenu_format', 'both', (c) => (c.offer ? c.offer.formats.map((x) => labelOf(formats, x)).join(', ') : '')),
      area('contenu_progression', 'both'),
    ],
    lines: (_c, v) => [`Thème : ${orNot(v('contenu_theme'))}`, `Format : ${orNot(v('contenu_format'))}`, ...labelled('Progression', v('contenu_progression'))],
  },
  {
    key: 'calendrier',
    title: sectionTitle('calendrier'),
    numbered: true,
    fields: [
      text('lieux', 'both', (c) => c.partnership.place || (c.offer ? labelOf(venues, c.offer.venue) : '')),
      area('transport', 'both', (c) =>
        c.offer?.venue === 'chez-le-partenaire' ? 'Le groupe se rend chez le partenaire, encadré par les animateurs de l’accueil.' : '',
      ),
      area('annulation', 'both'),
    ],
    lines: (c, v) => {
      const p = c.partnership;
      const sessions = agreedSessions(c);
      const lines = [];
      if (!p.periodStart || sessions.length === 0) lines.push('Calendrier à établir (étape 4 · Animation).');
      else {
        lines.push(
          `Période : du ${f.date(p.periodStart)} au ${f.date(p.periodEnd ?? sessions.at(-1)!.date)}, ${rhythm(p, sessions.length)}, hors vacances scolaires et jours fériés.`,
          `Horaires : le mercredi de ${frenchTime(p.startTime ?? '09:30')} à ${frenchTime(p.endTime ?? '11:30')}.`,
          `Nombre de séances prévues : ${sessions.length}.`,
          `Dates : ${sessions.map((s) => agreedDateLabel(s, p)).join(', ')}.`,
        );
        if (c.calendar.unknownSchoolYears.length) {
          lines.push(
            `Les vacances scolaires ${c.calendar.unknownSchoolYears.join(', ')} n’étant pas encore connues, les dates seront ajustées à leur publication.`,
          );
        }
      }
      return [...lines, `Lieux : ${orNot(v('lieux'))}`, ...labelled('Transport', v('transport'), 'Sans objet.'), ...labelled('Annulation', v('annulation'))];
    },
  },
  {
    key: 'engagements_organisateur',
    title: sectionTitle('engagements_organisateur'),
    numbered: true,
    fields: [area('eng_org', 'acm')],
    lines: (c, v) => [
      ...block(v('eng_org')).map((l) => `• ${l}`),
      'Engagements propres à ce partenariat :',
      ...block(c.parties.acm?.commitments ?? '', 'À préciser (étape 1 · Définition).'),
    ],
  },
  {
    key: 'engagements_partenaire',
    title: sectionTitle('engagements_partenaire'),
    numbered: true,
    fields: [area('eng_part', 'partner')],
    lines: (c, v) => {
      const intervenants = c.parties.partner?.intervenants ?? [];
      return [
        ...block(v('eng_part')).map((l) => `• ${l}`),
        'Engagements propres à ce partenariat :',
        ...block(c.parties.partner?.commitments ?? '', 'À préciser (étape 1 · Définition).'),
        'Intervenants nommés (pour la déclaration et le contrôle d’honorabilité) :',
        ...(intervenants.length ? intervenants.map(intervenantLine) : ['À préciser par le partenaire.']),
      ];
    },
  },
  {
    key: 'roles',
    title: sectionTitle('roles'),
    numbered: true,
    fields: [area('roles', 'both')],
    lines: (_c, v) => block(v('roles')),
  },
  {
    key: 'moyens',
    title: sectionTitle('moyens'),
    numbered: true,
    fields: [],
    lines: (c) =>
      (['acm', 'partner'] as const).flatMap((side) => {
        const party = c.parties[side];
        const name = side === 'acm' ? c.acm.name : c.partner.name;
        return [
          `${name} :`,
          `  • Moyens humains : ${orNot(party?.humanResources)}`,
          `  • Moyens matériels : ${orNot(party?.materialResources)}`,
          `  • Moyens financiers : ${orNot(party?.financialResources)}`,
        ];
      }),
  },
  {
    key: 'finances',
    title: sectionTitle('finances'),
    numbered: true,
    fields: [text('fin_tarif', 'both', priceDefault), text('fin_frais', 'both'), text('fin_facturation', 'both'), text('fin_delai', 'both')],
    lines: (c, v) => [
      `Tarif : ${orNot(v('fin_tarif'))}`,
      `Frais : ${orNot(v('fin_frais'))}`,
      `Budget prévisionnel : ${c.partnership.budgetEur ? f.euros(c.partnership.budgetEur) : 'non renseigné'}`,
      `Facturation : ${orNot(v('fin_facturation'))}`,
      `Délai de paiement : ${orNot(v('fin_delai'))}`,
    ],
  },
  {
    key: 'assurances',
    title: sectionTitle('assurances'),
    numbered: true,
    fields: [text('ass_acm', 'acm'), text('ass_partner', 'partner'), area('ass_accident', 'both')],
    lines: (c, v) => [
      `${c.acm.name} : ${orNot(v('ass_acm'))}`,
      `${c.partner.name} : ${orNot(v('ass_partner'))}`,
      ...sectionLines('assurances'),
      'En cas d’accident :',
      ...block(v('ass_accident')),
    ],
  },
  {
    key: 'securite',
    title: sectionTitle('securite'),
    numbered: true,
    fields: [area('sec_urgence', 'both')],
    lines: (c, v) => [
      `Activité physique à encadrement réglementé (arrêté du 25 avril 2012) : ${c.offer?.regulated ? 'oui — l’intervenant justifie de sa qualification et de sa carte professionnelle' : 'non'}.`,
      ...block(v('sec_urgence')),
    ],
  },
  {
    key: 'image',
    title: sectionTitle('image'),
    numbered: true,
    fields: [area('image', 'both')],
    lines: (_c, v) => block(v('image')),
  },
  {
    key: 'communication',
    title: sectionTitle('communication'),
    numbered: true,
    fields: [area('communication', 'both')],
    lines: (_c, v) => block(v('communication')),
  },
  {
    key: 'suivi',
    title: sectionTitle('suivi'),
    numbered: true,
    fields: [
      area('suivi_reunions', 'both'),
      text('suivi_bilan', 'both', (c) =>
        c.partnership.periodEnd ? `Dans le mois qui suit le ${f.date(c.partnership.periodEnd)}` : 'À la fin de l’année scolaire',
      ),
    ],
    lines: (c, v) => [
      `Référent·e de l’organisateur : ${orNot([c.parties.acm?.referentName, c.parties.acm?.referentContact].filter(Boolean).join(', '))}`,
      `Référent·e du partenaire : ${orNot([c.parties.partner?.referentName, c.parties.partner?.referentContact].filter(Boolean).join(', '))}`,
      ...block(v('suivi_reunions')),
      `Bilan : ${orNot(v('suivi_bilan'))}. Chaque partie remplit un compte rendu quantitatif et qualitatif sur Passerelle.`,
    ],
  },
  {
    key: 'duree',
    title: sectionTitle('duree'),
    numbered: true,
    fields: [choice('reconduction', 'both', () => 'expresse'), area('avenants', 'both')],
    lines: (c, v) => [
      `La convention vaut pour l’année scolaire ${c.partnership.schoolYear}.`,
      v('reconduction') === 'tacite'
        ? 'Elle est reconduite tacitement pour une année scolaire, sauf dénonciation par l’une des parties avant le 30 juin.'
        : 'Sa reconduction fait l’objet d’une nouvelle convention, au vu du bilan.',
      ...block(v('avenants')),
    ],
  },
  {
    key: 'resiliation',
    title: sectionTitle('resiliation'),
    numbered: true,
    fields: [area('resiliation', 'both')],
    lines: (_c, v) => block(v('resiliation')),
  },
  {
    key: 'litiges',
    title: sectionTitle('litiges'),
    numbered: true,
    fields: [area('litiges', 'both')],
    lines: (_c, v) => block(v('litiges')),
  },
  {
    key: 'signatures',
    title: sectionTitle('signatures'),
    numbered: true,
    fields: [],
    lines: (c, v) => [
      ...sectionLines('signatures'),
      `Pour l’organisateur, ${c.acm.name} : ${orNot(v('acm_representant'))}`,
      `Pour le partenaire, ${c.partner.name} : ${orNot(v('partner_representant'))}`,
    ],
  },
  {
    key: 'annexes',
    title: sectionTitle('annexes'),
    numbered: true,
    fields: [area('annexes_autres', 'both')],
    lines: (_c, v) => [...sectionLines('annexes'), ...(v('annexes_autres') ? block(v('annexes_autres')).map((l) => `• ${l}`) : [])],
  },
];

// Every section and field of convention.md has its code, in the same order, and the reverse.
const unused = [...wording.sections.keys()].map((k) => `sections:${k}`).concat([...wording.fields.keys()].map((k) => `fields:${k}`));
if (unused.some((key) => !usedWording.has(key)) || conventionSections.map((s) => s.key).join() !== [...wording.sections.keys()].join()) {
  throw new Error(`convention.md: sections or fields without code, or out of order: ${unused.filter((key) => !usedWording.has(key)).join(', ') || 'order'}`);
}

export function findSection(key: string): ConventionSectionDefinition | undefined {
  return conventionSections.find((s) => s.key === key);
}

export const CONVENTION_TITLE = wording.title;

/** The value of a field: what the parties wrote, or its default. */
export function fieldValue(ctx: ConventionContext, field: ConventionField): string {
  const value = ctx.fields[field.name];
  return value !== undefined ? value : field.default(ctx);
}

/** Renders the convention: structured sections for the page and the exact text for hash, PDF and versions. */
export function renderConvention(ctx: ConventionContext): RenderedConvention {
  const allFields = new Map(conventionSections.flatMap((s) => s.fields).map((field) => [field.name, field]));
  const value = (name: string) => {
    const field = allFields.get(name);
    return field ? fieldValue(ctx, field).trim() : '';
  };
  let article = 0;
  const sections = conventionSections.map((s) => {
    const heading = s.numbered ? `Article ${++article} — ${s.title}` : s.title;
    return { key: s.key, heading, title: s.title, lines: s.lines(ctx, value), fields: s.fields };
  });
  const body = sections
    .map((s) => (s.key === 'entete' ? s.lines.join('\n') : `${s.heading}\n${s.lines.join('\n')}`))
    .join('\n\n')
    .replace(/\r/g, '');
  const text = `${CONVENTION_TITLE}\n\n${body}\n`;
  return { title: CONVENTION_TITLE, sections, text, hash: sha256(text), dates: agreedSessions(ctx).map((s) => s.date) };
}

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
