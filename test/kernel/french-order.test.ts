import { describe, expect, it } from 'vitest';
import { frenchOrder } from '../../server/kernel/text.js';

describe('French alphabetical order', () => {
  it('puts accented and capitalised names where a French reader looks for them', () => {
    expect(['Villeurbanne', 'Écully', 'Vénissieux', 'bron', 'Caluire-et-Cuire'].sort(frenchOrder)).toEqual([
      'bron',
      'Caluire-et-Cuire',
      'Écully',
      'Vénissieux',
      'Villeurbanne',
    ]);
  });
});
