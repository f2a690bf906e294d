import { it } from 'vitest';
import { expectNoHorizontalScroll, signIn, useSite } from '../helpers/browser.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';
import { createRequestParties, sendRequest } from '../helpers/requests.js';
import { syncSearch } from '../helpers/search.js';

// One word as long as people paste: a run of letters with no space, and a web address.
const word = 'Abracadabrantesquement'.repeat(3);
const address = 'https://www.exemple-association-tres-longue.fr/activites/2026/inscriptions/formulaire-de-preinscription?ref=passerelle';

let f: PartnershipFixture;
let requestId: number;
let director: { email: string };
const site = useSite(async (app) => {
  f = await createPartnershipFixture(app, {
    acmName: `Accueil ${word}`,
    partnerName: `Compagnie ${word}`,
    partnership: {
      title: `Projet ${word}`,
      objectives: [{ general: `Objectif ${word}`, operational: [`Étape ${word}`] }],
    },
  });
  const parties = await createRequestParties(app, { acm: `Accueil ${word} bis`, partner: `Compagnie ${word} bis` });
  director = parties.director;
  requestId = await sendRequest(parties.acmAgent, parties.offer.id, { message: `Bonjour, voyez ${address} et ${word}.`, objectivesOther: `Objectif ${word}` });
  await syncSearch(app);
});

it('keeps a phone page its own width when names, titles and messages hold a very long word', async () => {
  const acm = await signIn(await site.newContext(), f.acmUser.email);
  const partner = await signIn(await site.newContext(), f.partnerUser.email);
  const requester = await signIn(await site.newContext(), director.email);
  const base = `/partenariats/${f.partnership.id}`;
  const visits = [
    [acm, `/offres?q=${encodeURIComponent('judo')}`, 'search list'],
    [acm, `/offres/${f.partnership.offerId}`, 'offer page'],
    [acm, `/structures/${f.partner.id}`, 'partner page'],
    [partner, `/accueils/${f.acm.id}`, 'ACM page'],
    [acm, base, 'partnership overview'],
    [acm, `${base}/formalisation`, 'formalisation'],
    [partner, `${base}/bilan`, 'review'],
    [acm, '/demandes', 'requests list'],
    [requester, `/demandes/${requestId}`, 'request thread'],
  ] as const;
  for (const [page, path, label] of visits) {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(path);
    await expectNoHorizontalScroll(page, `${label} (${path})`);
  }
}, 120_000);
