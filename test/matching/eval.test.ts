import { describe, expect, it } from 'vitest';
import { generateCatalogue } from './eval/catalogue.js';
import { evaluate } from './eval/evaluate.js';
import { relevantOffers } from './eval/labels.js';
import { evalNeeds } from './eval/needs.js';

/** Measured with `npm run eval:matching` when the weights were last changed; the floors leave a 0.05 margin. */
const MEASURED = { precisionAt5: 0.828, recallAt10: 0.923 };
const MARGIN = 0.05;

describe('quality of the suggestions on the labelled evaluation set', () => {
  const report = evaluate();

  it('has at least 30 needs, each with offers a careful human would suggest, in a fixed catalogue', () => {
    expect(evalNeeds.length).toBeGreaterThanOrEqual(30);
    const catalogue = generateCatalogue();
    expect(catalogue).toHaveLength(1000);
    expect(generateCatalogue()).toEqual(catalogue);
    for (const need of evalNeeds) expect(relevantOffers(need, catalogue).length, need.title).toBeGreaterThan(0);
    // Changes when the catalogue, the needs or the labelling rules change: then measure again and update MEASURED.
    expect(report.fingerprint).toBe('069854d75ee35927');
  });

  it(`keeps precision@5 at least ${MEASURED.precisionAt5 - MARGIN} and recall@10 at least ${MEASURED.recallAt10 - MARGIN}`, () => {
    expect(report.precisionAt5).toBeGreaterThanOrEqual(MEASURED.precisionAt5 - MARGIN);
    expect(report.recallAt10).toBeGreaterThanOrEqual(MEASURED.recallAt10 - MARGIN);
  });
});
