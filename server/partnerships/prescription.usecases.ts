import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { schoolYearOf } from '../kernel/school-year.js';
import { placeInScopes } from '../kernel/scopes.js';
import { ageBands, charterAxes, labelOf, partnershipReasons, themes } from '../kernel/taxonomy.js';
import { capitalised } from '../kernel/text.js';
import { de, withArticle } from '../lib/format.js';
import { FormReader } from '../lib/validation.js';
import { acmProfile, publishedOffersOf } from '../matching/matching.repository.js';
import { findNeed } from '../matching/needs.repository.js';
import type { Wish } from '../matching/score.js';
import { rankOffers, wishOfAcm, wishOfNeed } from '../matching/suggestions.js';
import { offerPath } from '../offers/offers.view.js';
import { requireCoordinator } from '../territories/scopes.js';
import { ensureConvention } from './convention.repository.js';
import { recordEvent } from './events.js';
import { findOffer, findOrganisationDetails, insertParties, insertPartnership, organisationsInScopes } from './partnerships.repository.js';

export async function prescriptionChoices(deps: Deps, user: CurrentUser) {
  requireCoordinator(user);
  const [acms, partners] = await Promise.all([
    organisationsInScopes(deps.db, 'acm', user.coordinatorScopes),
    organisationsInScopes(deps.db, 'partner', user.coordinatorScopes),
  ]);
  return { acms, partners };
}

/** The « Offre proposée » options: the published offers of the chosen partner, if it is one of the coordinator's. */
export async function partnerOfferOptions(
  deps: Deps,
  choices: Awaited<ReturnType<typeof prescriptionChoices>>,
  partnerId: number | null,
): Promise<{ value: number; label: string }[]> {
  if (!partnerId || !choices.partners.some((p) => p.id === partnerId)) return [];
  const offers = await publishedOffersOf(deps.db, [partnerId]);
  return offers.map((o) => ({ value: o.id, label: o.title }));
}

/** How far the prescription's suggestions look for offers around the ACM (wider than the coverage radius: a gap has none nearer). */
const SUGGESTION_TRIP_KM = 60;

interface PrescriptionSuggestion {
  partnerId: number;
  partnerName: string;
  offerId: number;
  offerSlug: string;
  offerTitle: string;
  offerHref: string;
  /** The same form with this partner chosen. */
  chooseHref: string;
  distanceKm: number | null;
  score: number;
}

interface PrescriptionPrefill {
  /** Values of the form's fields. */
  values: Record<string, string>;
  offerOptions: { value: number; label: string }[];
  suggestions: PrescriptionSuggestion[];
  /**
   * What the form was opened for, as a query string (empty without an ACM): kept by the form's
   * action, so that a form sent back with errors shows it again, and by the partner select's swap.
   */
  openedQuery: string;
  /** What the coordinator came for (a coverage gap, or a need of the ACM), to say above the form. */
  context: { acmName: string; theme: string | null; age: string | null; need: { id: number; title: string } | null } | null;
}

/** What a coverage gap asks for: the ACM's place and ages, narrowed to its theme and age band, looked for further away. */
async function gapWish(deps: Deps, acmId: number, theme: string | null, band: string | null): Promise<Wish | null> {
  const profile = await acmProfile(deps.db, acmId);
  if (!profile) return null;
  const wish = { ...wishOfAcm(profile), maxTravelKm: SUGGESTION_TRIP_KM };
  if (theme) wish.themes = [theme];
  if (band) [wish.ageMin, wish.ageMax] = band.split('-').map(Number) as [number, number];
  return wish;
}

/**
 * The prescription form opened from a coverage gap (`?accueil=…&theme=…&age=…`, optionally
 * `&partenaire=…`) or from a need of the ACM (`&besoin=…`): the ACM preselected when it is one the
 * coordinator may prescribe for, and the partners of the territory whose offers best suit it (the
 * matching scorer, with this theme and age, or the need's own wish), the best one preselected.
 * Anything outside the coordinator's choices is ignored, a need of another ACM included.
 */
export async function prescriptionPrefill(
  deps: Deps,
  choices: Awaited<ReturnType<typeof prescriptionChoices>>,
  query: { accueil?: number; partenaire?: number; theme?: string; age?: string; besoin?: number },
): Promise<PrescriptionPrefill> {
  const acm = query.accueil ? choices.acms.find((a) => a.id === query.accueil) : undefined;
  if (!acm) return { values: {}, offerOptions: [], suggestions: [], openedQuery: '', context: null };
  const theme = themes.some((t) => t.value === query.theme) ? query.theme! : null;
  const band = ageBands.find((b) => b.value === query.age) ?? null;
  const found = query.besoin ? await findNeed(deps.db, query.besoin) : null;
  const need = found?.acm.id === acm.id ? found.need : null;
  const wish = need ? wishOfNeed(need) : await gapWish(deps, acm.id, theme, band?.value ?? null);
  const partnerIds = new Set(choices.partners.map((p) => p.id));
  // What the form was opened for, kept by the links that choose another partner, the form's action and the partner select's swap.
  const opened = {
    accueil: String(acm.id),
    ...(theme ? { theme } : {}),
    ...(band ? { age: band.value } : {}),
    ...(need ? { besoin: String(need.id) } : {}),
  };
  // A need may name several themes: an offer in any of them suits it.
  const wantedThemes = need ? need.themes : theme ? [theme] : [];
  const ranked = (wish ? await rankOffers(deps, wish, { limit: 200, threshold: 0 }) : []).filter(
    ({ item }) => partnerIds.has(item.partnerId) && (!wantedThemes.length || item.themes.some((t) => wantedThemes.includes(t))),
  );
  const suggestions: PrescriptionSuggestion[] = [];
  for (const { item, match } of ranked) {
    if (suggestions.some((s) => s.partnerId === item.partnerId)) continue;
    suggestions.push({
      partnerId: item.partnerId,
      partnerName: item.partnerName,
      offerId: item.id,
      offerSlug: item.slug,
      offerTitle: item.title,
      offerHref: offerPath(item),
      chooseHref: `/partenariats/prescrire?${new URLSearchParams({ ...opened, partenaire: String(item.partnerId) })}`,
      distanceKm: match.distanceKm === null ? null : Math.round(match.distanceKm),
      score: match.score,
    });
    if (suggestions.length === 3) break;
  }
  const chosenPartner = query.partenaire && partnerIds.has(query.partenaire) ? query.partenaire : suggestions[0]?.partnerId;
  const themeLabel = theme ? labelOf(themes, theme) : null;
  const what = theme || band ? [themeLabel ?? 'Activités', band ? `pour les ${band.label}` : null].filter(Boolean).join(' ') : 'Un premier partenariat';
  // The chosen partner's best-suited offer, whether or not it made the three suggestions.
  const offer = ranked.find(({ item }) => item.partnerId === chosenPartner)?.item;
  const values: Record<string, string> = { acmId: String(acm.id) };
  if (chosenPartner) values.partnerId = String(chosenPartner);
  if (offer) values.offerId = String(offer.id);
  if (need) {
    values.needId = String(need.id);
    values.title = `${need.title} — ${acm.name}`.slice(0, 150);
    // The message names no offer: « Offre proposée » does, and stays true when the coordinator picks another partner.
    values.message = `${capitalised(withArticle(acm.name))} cherche un partenaire pour son besoin « ${need.title} », publié sur Passerelle. Je vous propose d’en parler ensemble.`;
  } else if (what) {
    // ACM names take an article or none (« l’Accueil de loisirs… », « ALSH… »): the title names the ACM as it is written, the message through « de ».
    values.title = `${what} — ${acm.name}`.slice(0, 150);
    values.message = `Aucune offre ${themeLabel ? `« ${themeLabel} » ` : ''}${band ? `pour les ${band.label} ` : ''}n’est proposée sur Passerelle à proximité ${de(acm.name)} (${acm.communeName}). Je vous propose d’en parler ensemble.`;
  }
  return {
    values,
    offerOptions: await partnerOfferOptions(deps, choices, chosenPartner ?? null),
    suggestions,
    openedQuery: new URLSearchParams(opened).toString(),
    context: { acmName: acm.name, theme: themeLabel, age: band?.label ?? null, need: need ? { id: need.id, title: need.title } : null },
  };
}

type PrescribeQuery = Parameters<typeof prescriptionPrefill>[2];

/**
 * What the partner select's swap shows for the partner chosen: its published offers, its best-suited
 * one selected, and, for a form opened from a gap or a need (`opened`), the suggestions to mark it
 * « choisi » in. A partner outside the coordinator's choices gets no offers and no suggestions.
 */
export async function prescriptionPartnerSwap(
  deps: Deps,
  choices: Awaited<ReturnType<typeof prescriptionChoices>>,
  opened: Omit<PrescribeQuery, 'partenaire'>,
  partnerId: number | null,
) {
  const chosen = partnerId && choices.partners.some((p) => p.id === partnerId) ? partnerId : null;
  const prefill = chosen && opened.accueil ? await prescriptionPrefill(deps, choices, { ...opened, partenaire: chosen }) : null;
  if (prefill?.context)
    return {
      offerOptions: prefill.offerOptions,
      offerId: prefill.values.offerId ?? '',
      context: prefill.context,
      suggestions: prefill.suggestions,
      partnerId: chosen,
    };
  return { offerOptions: await partnerOfferOptions(deps, choices, chosen), offerId: '', context: null, suggestions: [], partnerId: chosen };
}

/**
 * A coordinator prescribes a partnership between an ACM and a partner of their territory (the
 * seed: "il est possible qu'au départ, un partenariat soit imposé ou fasse l'objet d'une
 * prescription"). Both organisations are notified and must confirm before it starts.
 */
export async function prescribePartnership(deps: Deps, user: CurrentUser, body: Record<string, unknown>): Promise<number> {
  requireCoordinator(user);
  const form = new FormReader(body);
  const acmId = form.int('acmId', { required: true, min: 1 });
  const partnerId = form.int('partnerId', { required: true, min: 1 });
  const title = form.text('title', { required: true, max: 150 });
  const message = form.text('message', { required: true, max: 3000, multiline: true });
  const objective = form.text('objective', { max: 300 });
  const reasons = form.someOf(
    'reasons',
    partnershipReasons.map((r) => r.value),
  );
  const axes = form.someOf(
    'charterAxes',
    charterAxes.map((a) => a.value),
  );
  // A hidden field: a tampered value links no need rather than showing an error nobody can fix.
  const offerId = form.int('offerId', { min: 1 });
  const needId = /^[1-9]\d{0,8}$/.test(form.raw('needId')) ? Number(form.raw('needId')) : null;
  const [acm, partner, found, offer] = await Promise.all([
    acmId ? findOrganisationDetails(deps.db, acmId) : null,
    partnerId ? findOrganisationDetails(deps.db, partnerId) : null,
    needId ? findNeed(deps.db, needId) : null,
    offerId ? findOffer(deps.db, offerId) : null,
  ]);
  const acmInScope = acm?.kind === 'acm' && placeInScopes(acm, user.coordinatorScopes);
  const partnerInScope = partner?.kind === 'partner' && placeInScopes(partner, user.coordinatorScopes);
  if (acmId && !acmInScope) form.fail('acmId', 'Choisissez un accueil de votre territoire.');
  if (partnerId && !partnerInScope) form.fail('partnerId', 'Choisissez un partenaire de votre territoire.');
  if (offerId && (offer?.organisationId !== partnerId || offer.status !== 'published'))
    form.fail('offerId', 'Cette offre n’est pas une offre publiée du partenaire choisi : choisissez-en une autre, ou aucune.');
  form.assertValid();
  // Prescribed for another ACM than the need's (the coordinator changed the ACM): not for that need.
  const need = found?.acm.id === acm!.id ? found.need : null;
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const partnership = await insertPartnership(tx, {
      acmId: acm!.id,
      partnerId: partner!.id,
      needId: need?.id ?? null,
      offerId: offer?.id ?? null,
      prescribedBy: user.id,
      prescriptionMessage: message,
      title,
      schoolYear: schoolYearOf(parisToday(now)),
      status: 'awaiting_confirmation',
      reasons,
      charterAxes: axes,
      objectives: objective ? [{ general: objective, operational: [] }] : [],
      createdAt: now,
      updatedAt: now,
    });
    await insertParties(tx, [
      { partnershipId: partnership.id, organisationId: acm!.id, side: 'acm', updatedAt: now },
      { partnershipId: partnership.id, organisationId: partner!.id, side: 'partner', updatedAt: now },
    ]);
    await ensureConvention(tx, partnership.id);
    await recordEvent(
      deps,
      tx,
      {
        partnership,
        actorId: user.id,
        action: 'partnership.prescribed',
        summary: `Partenariat prescrit par ${user.name}, coordinateur·rice du territoire${need ? `, pour le besoin « ${need.title} »` : ''} : ${message}`,
        notify: {
          type: 'partnership_prescribed',
          title: `Partenariat proposé par ${user.name} : ${acm!.name} et ${partner!.name}`,
          body: message.slice(0, 500),
          path: `/partenariats/${partnership.id}`,
        },
      },
      { acm: acm!.name, partner: partner!.name },
    );
    return partnership.id;
  });
}
