import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerships } from '../../db/schema/index.js';
import { formatters } from '../../server/lib/format.js';
import { parseAmount } from '../../server/lib/validation.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let f: PartnershipFixture;
let base: string;

beforeAll(async () => {
  app = await createTestApp();
  f = await createPartnershipFixture(app, { partnership: { budgetEur: '450.00' } });
  base = `/partenariats/${f.partnership.id}`;
});
afterAll(async () => {
  await app.close();
});

const definition = (budgetEur: string) => ({
  title: 'Judo du mercredi',
  objective_0: 'Développer la motricité et le respect des règles',
  operational_0: 'Apprendre le salut et les chutes',
  expectedResults: 'Chaque enfant maîtrise le salut et les chutes.',
  finalRealisation: 'Démonstration devant les familles en juin',
  reasons: ['diversifier-activites'],
  charterAxes: ['activites-variees', 'inclusion'],
  childrenExpected: '12',
  ageMin: '6',
  ageMax: '10',
  budgetEur,
});

const fieldValue = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];

async function storedBudget(): Promise<string | null | undefined> {
  const [row] = await app.deps.db.select({ budgetEur: partnerships.budgetEur }).from(partnerships).where(eq(partnerships.id, f.partnership.id));
  return row?.budgetEur;
}

describe('amounts in euros', () => {
  it('reads the ways French users type an amount, and refuses the rest', () => {
    expect(parseAmount('1 234,50')).toBe('1234.50');
    expect(parseAmount('1\u202f234,50 €')).toBe('1234.50');
    expect(parseAmount('450 €')).toBe('450.00');
    expect(parseAmount('450 euros')).toBe('450.00');
    expect(parseAmount('450.5')).toBe('450.50');
    expect(parseAmount('1.234,50')).toBe('1234.50');
    expect(parseAmount('12€50')).toBe('12.50');
    for (const junk of ['beaucoup', '12,345', '1,2,3', '-5', '12€5', '1e3', '€', '0x10']) expect(parseAmount(junk), junk).toBeNull();
  });

  it('shows an amount the French way in a field', () => {
    expect(formatters.amountInput('450.00')).toBe('450,00');
    expect(formatters.amountInput('1234.5')).toBe('1 234,50');
    expect(formatters.amountInput(null)).toBe('');
  });

  it('shows the stored budget as 450,00 in the définition form', async () => {
    const page = await f.acmAgent.get(`${base}/definition`);
    expect(page.statusCode).toBe(200);
    expect(fieldValue(page.body, 'budgetEur')).toBe('450,00');
  });

  it('stores a budget typed as « 1 234,50 » as 1234.50 and shows it back as 1 234,50', async () => {
    const response = await f.acmAgent.post(`${base}/definition`, definition('1 234,50'));
    expect(response.statusCode).toBe(303);
    expect(await storedBudget()).toBe('1234.50');
    const page = await f.acmAgent.get(`${base}/definition`);
    expect(fieldValue(page.body, 'budgetEur')).toBe('1 234,50');
  });

  it('refuses a junk amount with a French message beside the field, keeping what was typed', async () => {
    const response = await f.acmAgent.post(`${base}/definition`, definition('mille euros'));
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(
      /id="f-budgetEur-error"><span class="visually-hidden">Erreur : <\/span>Saisissez un montant en euros, avec au plus deux décimales \(exemple : 1 234,50\)\./,
    );
    expect(fieldValue(response.body, 'budgetEur')).toBe('mille euros');
    expect(await storedBudget()).toBe('1234.50');
  });

  it('reads the costs of the bilan the French way, and prefills the planned cost as 1 234,50', async () => {
    const page = await f.acmAgent.get(`${base}/bilan`);
    expect(fieldValue(page.body, 'costPlannedEur')).toBe('1 234,50');
    const saved = await f.acmAgent.post(`${base}/bilan`, { side: 'acm', intent: 'save', costPlannedEur: '1 234,50', costActualEur: '980 €' });
    expect(saved.statusCode).toBe(303);
    const again = await f.acmAgent.get(`${base}/bilan`);
    expect(fieldValue(again.body, 'costActualEur')).toBe('980,00');
    const junk = await f.acmAgent.post(`${base}/bilan`, { side: 'acm', intent: 'save', costActualEur: '12,345' });
    expect(junk.statusCode).toBe(422);
    expect(junk.body).toContain('Saisissez un montant en euros');
    expect(fieldValue(junk.body, 'costActualEur')).toBe('12,345');
  });
});
