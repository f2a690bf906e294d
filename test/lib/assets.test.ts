import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asset, fileHash } from '../../server/lib/assets.js';

const dir = mkdtempSync(join(tmpdir(), 'passerelle-assets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('asset URLs', () => {
  it('name a file by its content, keep the name while it is unchanged, and give an edited file a new name within a second', async () => {
    const file = join(dir, 'app.css');
    writeFileSync(file, 'body { color: black }');
    const first = fileHash(file);
    expect(first).toMatch(/^[\w-]{12}$/);
    expect(fileHash(file)).toBe(first);

    writeFileSync(file, 'body { color: navy; margin: 0 }');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const edited = fileHash(file);
    expect(edited).toMatch(/^[\w-]{12}$/);
    expect(edited).not.toBe(first);

    rmSync(file);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(fileHash(file)).toBeNull();
  });

  it('add the hash to the URL of a file under /static/, and leave other URLs alone', () => {
    expect(asset('/static/css/app.css')).toMatch(/^\/static\/css\/app\.css\?v=[\w-]{12}$/);
    expect(asset('/static/vendor/htmx/htmx.min.js')).toMatch(/\?v=[\w-]{12}$/);
    expect(asset('/static/absent.css')).toBe('/static/absent.css');
    expect(asset('/static/../package.json')).toBe('/static/../package.json');
    expect(asset('/ailleurs/app.css')).toBe('/ailleurs/app.css');
  });
});
