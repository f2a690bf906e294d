import { de } from '../lib/format.js';
import type { ConventionContext } from './convention.js';
import { fieldValue, findSection } from './convention.js';
import type { Side } from './partnerships.repository.js';

interface MissingItem {
  side: Side;
  label: string;
  /** Where to fix it. */
  path: string;
}

function fieldOf(section: string, name: string) {
  return findSection(section)?.fields.find((f) => f.name === name);
}

/**
 * What a convention needs before the parties sign it: each organisation identified (SIRET, or RNA
 * for an association partner), its legal representative named with their role, and its own
 * commitments for this partnership.
 */
export function missingBeforeSigning(ctx: ConventionContext): MissingItem[] {
  const id = ctx.partnership.id;
  const items: MissingItem[] = [];
  const filled = (section: string, name: string) => {
    const field = fieldOf(section, name);
    return field ? fieldValue(ctx, field).trim() !== '' : true;
  };
  if (!ctx.acm.siret?.trim()) items.push({ side: 'acm', label: `SIRET ${de(ctx.acm.name)}`, path: `/structures/${ctx.acm.id}/modifier` });
  if (!ctx.partner.siret?.trim() && !ctx.partner.rna?.trim())
    items.push({ side: 'partner', label: `SIRET ou numéro RNA ${de(ctx.partner.name)}`, path: `/structures/${ctx.partner.id}/modifier` });
  if (!filled('organisateur', 'acm_representant'))
    items.push({
      side: 'acm',
      label: `Représentant·e légal·e ${de(ctx.acm.name)} et sa qualité`,
      path: `/partenariats/${id}/formalisation#section-organisateur`,
    });
  if (!filled('partenaire', 'partner_representant'))
    items.push({
      side: 'partner',
      label: `Représentant·e légal·e ${de(ctx.partner.name)} et sa qualité`,
      path: `/partenariats/${id}/formalisation#section-partenaire`,
    });
  for (const side of ['acm', 'partner'] as const) {
    if (!ctx.parties[side]?.commitments.trim()) {
      const name = side === 'acm' ? ctx.acm.name : ctx.partner.name;
      items.push({ side, label: `Engagements propres ${de(name)} (ou « aucun engagement »)`, path: `/partenariats/${id}/definition#engagements` });
    }
  }
  return items;
}
