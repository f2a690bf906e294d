/**
 * Fails when an import goes up the layer list (issue 15):
 * scripts/ → server/app.ts, main.ts → server/demo/ → server/plugins/ → server/<domain>/ → server/lib/ → search/ → db/ → server/kernel/.
 * server/lib holds the platform services the domains share (mailer, scheduler, storage, forms), some
 * of them over the database, hence its place above search/ and db/; db/ imports nothing from server/ but
 * server/kernel/. Run by `npm run check`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const layers: { name: string; matches: (file: string) => boolean }[] = [
  { name: 'scripts', matches: (f) => f.startsWith('scripts/') },
  { name: 'app', matches: (f) => ['server/app.ts', 'server/main.ts', 'server/jobs.ts'].includes(f) },
  { name: 'demo', matches: (f) => f.startsWith('server/demo/') },
  { name: 'plugins', matches: (f) => f.startsWith('server/plugins/') },
  // deps.ts and types.ts describe what every domain receives: they sit with the domains.
  { name: 'domains', matches: (f) => f.startsWith('server/') && !/^server\/(kernel|lib)\//.test(f) && f !== 'server/config.ts' },
  { name: 'lib', matches: (f) => f.startsWith('server/lib/') || f === 'server/config.ts' },
  { name: 'search', matches: (f) => f.startsWith('search/') },
  { name: 'db', matches: (f) => f.startsWith('db/') },
  { name: 'kernel', matches: (f) => f.startsWith('server/kernel/') },
];

/** Imports that go up today, each with the move that removes it; nothing may be added here. */
export const allowed: Record<string, string> = {
  'server/lib/section-registry.ts → server/(deps|accounts/sessions.repository).ts':
    'type-only: the section registries are typed with the Deps and the CurrentUser of the domains that fill them',
};

function rank(file: string): number {
  return layers.findIndex((layer) => layer.matches(file));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function isAllowed(from: string, to: string): string | undefined {
  for (const [pattern, reason] of Object.entries(allowed)) {
    const [source, target] = pattern.split(' → ').map((glob) => new RegExp(`^${glob!.replace(/\*/g, '.*')}$`)) as [RegExp, RegExp];
    if (source.test(from) && target.test(to)) return reason;
  }
  return undefined;
}

export function layerViolations(): string[] {
  const violations: string[] = [];
  for (const file of ['scripts', 'server', 'search', 'db'].flatMap(sourceFiles)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/(?:^\s*(?:import|export)\s[^'"]*?from\s+|^\s*import\s+|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      const target = relative(root, normalize(join(root, dirname(file), match[1]!))).replace(/\.js$/, '.ts');
      const [fromRank, toRank] = [rank(file), rank(target)];
      if (toRank === -1 || toRank >= fromRank || isAllowed(file, target)) continue;
      violations.push(`${file} (${layers[fromRank]!.name}) imports ${target} (${layers[toRank]!.name})`);
    }
  }
  return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const violations = layerViolations();
  if (violations.length) {
    console.error(`Imports going up the layers (see README, Architecture):\n${violations.map((v) => `  ${v}`).join('\n')}`);
    process.exit(1);
  }
  console.log('Layers: no import goes up.');
}
