import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import type { ProvidedContext } from 'vitest';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../db/client.js';
import { pgliteExtensions, wrapPglite } from '../db/pglite.js';
import { ensureReferenceData } from '../db/reference.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteDump: string;
    pgTemplate: string;
  }
}

type Template = { provided: Pick<ProvidedContext, 'pgliteDump' | 'pgTemplate'>; remove: () => Promise<void> };

/**
 * The integration and browser projects each run this setup; building the template takes seconds
 * (up to a minute on a busy machine), so the first one builds it in this process and the last
 * teardown removes it.
 */
const shared = globalThis as { passerelleTestTemplate?: { template: Promise<Template>; users: number } };

/**
 * Builds the test database once from the real migrations and reference data: a PGlite dump that
 * each test file loads, or, when DATABASE_URL is set, a PostgreSQL template database that each
 * test file copies.
 */
export default async function setup(project: TestProject) {
  shared.passerelleTestTemplate ??= { template: buildTemplate(), users: 0 };
  const entry = shared.passerelleTestTemplate;
  entry.users++;
  const { provided, remove } = await entry.template;
  project.provide('pgliteDump', provided.pgliteDump);
  project.provide('pgTemplate', provided.pgTemplate);
  return async () => {
    if (--entry.users > 0) return;
    shared.passerelleTestTemplate = undefined;
    await remove();
  };
}

async function buildTemplate(): Promise<Template> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `passerelle_tpl_${process.pid}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${template}`);
    await admin.unsafe(`CREATE DATABASE ${template}`);
    const database = openPostgres(withDatabase(url, template), { max: 2 });
    await database.migrate();
    await ensureReferenceData(database.db);
    await database.close();
    return {
      provided: { pgTemplate: template, pgliteDump: '' },
      remove: async () => {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const client = await PGlite.create({ extensions: pgliteExtensions });
  const database = wrapPglite(client);
  await database.migrate();
  await ensureReferenceData(database.db);
  const dump = await client.dumpDataDir('none');
  const path = join(mkdtempSync(join(tmpdir(), 'passerelle-test-')), 'template.tar');
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  await client.close();
  return { provided: { pgliteDump: path, pgTemplate: '' }, remove: async () => rmSync(dirname(path), { recursive: true, force: true }) };
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
