import { describe, expect, it } from 'vitest';
import { SeenKeys } from '../../server/offers/import/seen-keys.js';

describe('the external_ids an import has met', () => {
  it('gives the first line of a key met again, across the table growing, and nothing for a new one', () => {
    const seen = new SeenKeys();
    let repeated = 0;
    for (let line = 2; line < 200_002; line++) if (seen.firstLine(`EXT-${line}`, line) !== undefined) repeated++;
    expect(repeated).toBe(0);
    expect(seen.firstLine('EXT-2', 200_002)).toBe(2);
    expect(seen.firstLine('EXT-123456', 200_003)).toBe(123_456);
    expect(seen.firstLine('EXT-200001', 200_004)).toBe(200_001);
    expect(seen.firstLine('ext-2', 200_005)).toBeUndefined();
    expect(seen.firstLine('ext-2', 200_006)).toBe(200_005);
  });
});
