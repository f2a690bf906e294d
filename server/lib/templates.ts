import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

export const viewsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views');

/** One Eta instance for pages, fragments and emails; `<%= %>` escapes, `<%~ %>` is for trusted HTML. */
export function createEta(production: boolean, options: { autoEscape?: boolean } = {}): Eta {
  return new Eta({ views: viewsDir, cache: production, autoEscape: options.autoEscape ?? true, autoTrim: [false, 'nl'] });
}
