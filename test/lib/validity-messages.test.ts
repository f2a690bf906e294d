import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { messages } from '../../server/lib/validation.js';

describe('the browser’s own checks', () => {
  it('word a missing value, an e-mail and a web address as the server does (static/js/app.js cannot import them)', () => {
    const script = readFileSync(new URL('../../static/js/app.js', import.meta.url), 'utf8');
    for (const message of [messages.required, messages.email, messages.url]) expect(script).toContain(`'${message}'`);
  });
});
