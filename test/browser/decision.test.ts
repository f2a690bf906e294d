import { expect, it } from 'vitest';
import { partnershipReviews } from '../../db/schema/index.js';
import { checkPage, signIn, useSite } from '../helpers/browser.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';

const site = useSite();

it('takes the decision after the bilan in two steps: the ACM proposes to renew, the partner sees it and confirms', async () => {
  const f = await createPartnershipFixture(site.app);
  const bilan = `/partenariats/${f.partnership.id}/bilan`;
  await site.app.deps.db.insert(partnershipReviews).values(
    (['acm', 'partner'] as const).map((side) => ({
      partnershipId: f.partnership.id,
      side,
      organisationId: side === 'acm' ? f.acm.id : f.partner.id,
      answers: {} as never,
      recommendation: 'renew' as const,
      submittedAt: new Date(),
    })),
  );
  const acm = await signIn(await site.newContext(), f.acmUser.email);
  const partner = await signIn(await site.newContext(), f.partnerUser.email);
  await partner.setViewportSize({ width: 390, height: 844 });

  await acm.goto(`${bilan}#decision`);
  const decision = acm.locator('#decision');
  await decision.getByLabel('Reconduire l’année scolaire prochaine').check();
  await decision.getByLabel('Motif').fill('Les enfants en redemandent.');
  await decision.getByRole('button', { name: 'Proposer cette décision' }).click();
  await acm.getByText('Votre proposition est envoyée').waitFor();
  await decision.getByText('Votre proposition : reconduire').waitFor();
  await decision.getByText(/En attente de la confirmation/).waitFor();
  await checkPage(acm, 'decision-proposed');

  await partner.goto(`${bilan}#decision`);
  await partner.getByText(`${f.acm.name} propose : reconduire`).waitFor();
  await checkPage(partner, 'decision-to-confirm');
  await partner.getByRole('button', { name: 'Confirmer : reconduire' }).click();
  await partner.waitForURL((url) => url.pathname !== bilan && /^\/partenariats\/\d+$/.test(url.pathname));
  await partner.getByText('Le partenariat est reconduit').waitFor();

  await acm.goto(bilan);
  const decided = ((await acm.locator('#decision').textContent()) ?? '').replace(/\s+/g, ' ');
  expect(decided).toContain('Reconduire, le');
  expect(decided).toContain('Voir le partenariat reconduit');
  await checkPage(acm, 'decision-taken');
});
