import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
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

/**
 * Builds the test database once from the real migrations and reference data: a PGlite dump that
 * each test file loads, or, when DATABASE_URL is set, a PostgreSQL template database that each
 * test file copies.
 */
export default async function setup(project: TestProject) {
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
    project.provide('pgTemplate', template);
    project.provide('pgliteDump', '');
    return async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await admin.end();
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
  project.provide('pgliteDump', path);
  project.provide('pgTemplate', '');
  return () => rmSync(dirname(path), { recursive: true, force: true });
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
