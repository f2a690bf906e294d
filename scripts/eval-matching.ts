import { evaluate } from '../test/matching/eval/evaluate.js';

/** npm run eval:matching — precision@5 and recall@10 of the suggestions on the labelled evaluation set. */
const report = evaluate();
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const verbose = process.argv.includes('--verbose');

console.log(`Évaluation des suggestions : ${report.needs.length} besoins, ${report.catalogueSize} offres (empreinte ${report.fingerprint})`);
if (verbose) {
  for (const r of report.needs) {
    console.log(
      `#${String(r.need.id).padStart(2)} P@5 ${r.precisionAt5.toFixed(2)} R@10 ${r.recallAt10.toFixed(2)} pertinentes ${String(r.relevant.length).padStart(2)} — ${r.need.title}`,
    );
  }
}
console.log(`precision@5 : ${percent(report.precisionAt5)} (maximum atteignable avec ces étiquettes : ${percent(report.idealPrecisionAt5)})`);
console.log(`recall@10   : ${percent(report.recallAt10)}`);
