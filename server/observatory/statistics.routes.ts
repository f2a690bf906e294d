import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { slugify } from '../kernel/text.js';
import { csvDownloadHeaders, csvFilename, csvStream } from '../lib/csv.js';
import { NotFoundError } from '../lib/errors.js';
import { findCommuneByCode, findDepartmentByCode, findEpciByCode, findRegionBySlug } from '../territories/territories.repository.js';
import type { App } from '../types.js';
import { MASK_BELOW, masked, type StatTable, statTables, territoryFigures } from './statistics.js';
import type { TerritoryRef } from './statistics.repository.js';

interface Territory {
  ref: TerritoryRef;
  name: string;
  /** Its name without the code, for file names. */
  plainName: string;
  /** The territory's public page. */
  path: string;
  breadcrumb: { href: string; label: string }[];
}

const RegionParam = Type.Object({ region: Type.String({ pattern: '^[a-z0-9-]{2,80}$' }) });
const DepartmentParam = Type.Object({ code: Type.String({ pattern: '^([0-9]{2,3}|2A|2B)$' }) });
const EpciParam = Type.Object({ code: Type.String({ pattern: '^[0-9]{9}$' }) });
const CommuneParam = Type.Object({ insee: Type.String({ pattern: '^[0-9][0-9AB][0-9]{3}$' }) });

/** The cells of the tables, one record each: what the CSV holds and what the page shows. */
function statRecords(tables: StatTable[]) {
  return tables.flatMap((table) =>
    table.rows.flatMap((row) =>
      table.columns.map((column, i) => ({ indicateur: table.caption, ligne: row.label, colonne: column, valeur: masked(row.values[i]!) })),
    ),
  );
}

export default async function statisticsRoutes(app: App) {
  const { deps } = app;
  const territories = '/territoires';

  async function page(reply: FastifyReply, territory: Territory) {
    const { figures, computedAt } = await territoryFigures(deps, territory.ref);
    const tables = statTables(figures);
    return reply.page('observatory/statistics', {
      title: `Statistiques : ${territory.name}`,
      territory,
      tables,
      computedAt,
      maskBelow: MASK_BELOW,
      masked,
      csvHref: `${territory.path}/statistiques.csv`,
    });
  }

  async function csv(reply: FastifyReply, territory: Territory) {
    const { figures } = await territoryFigures(deps, territory.ref);
    const name = `statistiques-${slugify(territory.plainName)}-${territory.ref.code.toLowerCase()}`;
    reply.headers(csvDownloadHeaders(csvFilename(name, deps.clock.now())));
    return reply.send(
      csvStream(
        [
          { key: 'indicateur', header: 'Indicateur' },
          { key: 'ligne', header: 'Ligne' },
          { key: 'colonne', header: 'Colonne' },
          { key: 'valeur', header: 'Valeur' },
        ],
        statRecords(statTables(figures)),
      ),
    );
  }

  async function region(slug: string): Promise<Territory> {
    const found = await findRegionBySlug(deps.db, slug);
    if (!found) throw new NotFoundError('Région introuvable.');
    return {
      ref: { level: 'region', code: found.code },
      name: found.name,
      plainName: found.name,
      path: `${territories}/${found.slug}`,
      breadcrumb: [{ href: territories, label: 'Territoires' }],
    };
  }

  async function department(code: string): Promise<Territory> {
    const found = await findDepartmentByCode(deps.db, code);
    if (!found) throw new NotFoundError('Département introuvable.');
    return {
      ref: { level: 'department', code: found.code },
      name: `${found.name} (${found.code})`,
      plainName: found.name,
      path: `${territories}/departements/${found.code}`,
      breadcrumb: [
        { href: territories, label: 'Territoires' },
        { href: `${territories}/${found.regionSlug}`, label: found.regionName },
      ],
    };
  }

  async function epci(code: string): Promise<Territory> {
    const found = await findEpciByCode(deps.db, code);
    if (!found) throw new NotFoundError('Intercommunalité introuvable.');
    return {
      ref: { level: 'epci', code: found.code },
      name: found.name,
      plainName: found.name,
      path: `${territories}/intercommunalites/${found.code}`,
      breadcrumb: [
        { href: territories, label: 'Territoires' },
        ...found.regions.map((r) => ({ href: `${territories}/${r.slug}`, label: r.name })),
        ...found.departments.map((d) => ({ href: `${territories}/departements/${d.code}`, label: d.name })),
      ],
    };
  }

  async function commune(code: string): Promise<Territory> {
    const found = await findCommuneByCode(deps.db, code);
    if (!found) throw new NotFoundError('Commune introuvable.');
    return {
      ref: { level: 'commune', code: found.code },
      name: found.name,
      plainName: found.name,
      path: `${territories}/communes/${found.code}`,
      breadcrumb: [
        { href: territories, label: 'Territoires' },
        { href: `${territories}/${found.regionSlug}`, label: found.regionName },
        { href: `${territories}/departements/${found.departmentCode}`, label: found.departmentName },
      ],
    };
  }

  const hide = { hide: true };
  app.get('/territoires/:region/statistiques', { schema: { ...hide, params: RegionParam } }, async (request, reply) =>
    page(reply, await region(request.params.region)),
  );
  app.get('/territoires/:region/statistiques.csv', { schema: { ...hide, params: RegionParam } }, async (request, reply) =>
    csv(reply, await region(request.params.region)),
  );
  app.get('/territoires/departements/:code/statistiques', { schema: { ...hide, params: DepartmentParam } }, async (request, reply) =>
    page(reply, await department(request.params.code)),
  );
  app.get('/territoires/departements/:code/statistiques.csv', { schema: { ...hide, params: DepartmentParam } }, async (request, reply) =>
    csv(reply, await department(request.params.code)),
  );
  app.get('/territoires/intercommunalites/:code/statistiques', { schema: { ...hide, params: EpciParam } }, async (request, reply) =>
    page(reply, await epci(request.params.code)),
  );
  app.get('/territoires/intercommunalites/:code/statistiques.csv', { schema: { ...hide, params: EpciParam } }, async (request, reply) =>
    csv(reply, await epci(request.params.code)),
  );
  app.get('/territoires/communes/:insee/statistiques', { schema: { ...hide, params: CommuneParam } }, async (request, reply) =>
    page(reply, await commune(request.params.insee)),
  );
  app.get('/territoires/communes/:insee/statistiques.csv', { schema: { ...hide, params: CommuneParam } }, async (request, reply) =>
    csv(reply, await commune(request.params.insee)),
  );
}
