import { type Static, Type } from '@sinclair/typebox';
import type { OfferSearch } from '../../search/types.js';
import { parseFilters } from '../catalogue/catalogue.query.js';

import { cardView, queryString } from '../catalogue/catalogue.view.js';
import * as taxonomy from '../kernel/taxonomy.js';
import { asset } from '../lib/assets.js';
import { ParameterError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import {
  findCommuneByCode,
  findDepartmentByCode,
  findEpciByCode,
  findRegionByCode,
  resolveCommune,
  resolveEpci,
  territoryBounds,
} from '../territories/territories.repository.js';
import type { App } from '../types.js';
import { territoryChoices } from './statistics.repository.js';

const themeList = Type.Optional(Type.Array(Type.String({ enum: taxonomy.themes.map((t) => t.value) }), { maxItems: 8 }));

/** The embed's parameters: one territory, themes, an age. */
const EmbedQuery = Type.Object(
  {
    region: Type.Optional(Type.String({ pattern: '^[0-9]{2}$' })),
    department: Type.Optional(Type.String({ pattern: '^([0-9]{2,3}|2A|2B)$' })),
    epci: Type.Optional(Type.String({ pattern: '^[0-9]{9}$' })),
    commune: Type.Optional(Type.String({ pattern: '^[0-9][0-9AB][0-9]{3}$' })),
    theme: themeList,
    age: Type.Optional(Type.Integer({ minimum: taxonomy.AGE_MIN, maximum: taxonomy.AGE_MAX })),
  },
  { additionalProperties: false },
);
type Embed = Static<typeof EmbedQuery>;

/** The builder's form: what a person types (checked by the handler, errors shown beside the fields). */
const BuilderQuery = Type.Object({
  territoire: Type.Optional(Type.String({ maxLength: 10 })),
  commune: Type.Optional(Type.String({ maxLength: 100 })),
  region: Type.Optional(Type.String({ maxLength: 10 })),
  department: Type.Optional(Type.String({ maxLength: 10 })),
  epci: Type.Optional(Type.String({ maxLength: 120 })),
  theme: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  age: Type.Optional(Type.String({ maxLength: 10 })),
});

const EMBED_LIMIT = 30;

export default async function embedRoutes(app: App) {
  const { deps } = app;

  /** The territory's name and map box, or a 400 naming the parameter. */
  async function territoryOf(query: Embed) {
    if (query.commune) {
      const commune = await findCommuneByCode(deps.db, query.commune);
      if (!commune) throw new ParameterError('commune', `commune inconnue (${query.commune})`);
      const lat = Number(commune.lat);
      const lng = Number(commune.lng);
      return {
        name: commune.name,
        path: `/territoires/communes/${commune.code}`,
        bounds: { west: lng - 0.12, south: lat - 0.08, east: lng + 0.12, north: lat + 0.08 },
        filter: { commune: [{ code: commune.code, lat, lng, department: commune.departmentCode }] } as Partial<OfferSearch>,
      };
    }
    if (query.epci) {
      const epci = await findEpciByCode(deps.db, query.epci);
      if (!epci) throw new ParameterError('epci', `intercommunalité inconnue (${query.epci})`);
      const { epci: filter } = await parseFilters(deps, { epci: [epci.code] });
      return {
        name: epci.name,
        path: `/territoires/intercommunalites/${epci.code}`,
        bounds: await territoryBounds(deps.db, { kind: 'epci', code: epci.code }),
        filter: { epci: filter } as Partial<OfferSearch>,
      };
    }
    if (query.department) {
      const department = await findDepartmentByCode(deps.db, query.department);
      if (!department) throw new ParameterError('department', `département inconnu (${query.department})`);
      return {
        name: `${department.name} (${department.code})`,
        path: `/territoires/departements/${department.code}`,
        bounds: await territoryBounds(deps.db, { kind: 'department', code: department.code }),
        filter: { department: [department.code] } as Partial<OfferSearch>,
      };
    }
    if (query.region) {
      const region = await findRegionByCode(deps.db, query.region);
      if (!region) throw new ParameterError('region', `région inconnue (${query.region})`);
      return {
        name: region.name,
        path: `/territoires/${region.slug}`,
        bounds: await territoryBounds(deps.db, { kind: 'region', code: region.code }),
        filter: { region: [region.code] } as Partial<OfferSearch>,
      };
    }
    throw new ParameterError('department', 'un territoire est obligatoire (department, epci, commune ou region)');
  }

  /** The API parameters of an embed: the map and the links to Passerelle carry the same filters. */
  function embedParams(query: Embed): Record<string, string | string[] | undefined> {
    return {
      commune: query.commune,
      epci: query.commune ? undefined : query.epci,
      department: query.commune || query.epci ? undefined : query.department,
      region: query.commune || query.epci || query.department ? undefined : query.region,
      theme: query.theme,
      age: query.age === undefined ? undefined : String(query.age),
    };
  }

  // Framed by other sites: the security plugin lets any site frame it, the session plugin does not
  // read the session cookie, and the page is rendered without the layout's signed-in parts.
  app.get('/integrer/carte', { config: { embeddable: true, session: false }, schema: { hide: true, querystring: EmbedQuery } }, async (request, reply) => {
    const query = request.query;
    const territory = await territoryOf(query);
    const params = embedParams(query);
    const search: OfferSearch = {
      ...territory.filter,
      ...(query.theme?.length ? { theme: query.theme } : {}),
      ...(query.age !== undefined ? { age: query.age } : {}),
      sort: 'recent',
      page: 1,
      perPage: EMBED_LIMIT,
    };
    const result = await deps.search.searchOffers(search);
    const apiQuery = queryString(params);
    const shownThemes = query.theme?.length ? taxonomy.themes.filter((t) => query.theme!.includes(t.value)) : taxonomy.themes;
    const html = await reply.viewAsync('pages/observatory/embed', {
      title: `Offres du Plan mercredi : ${territory.name}`,
      territory,
      result,
      cards: result.items.map((hit) => ({ ...cardView(hit, result, search), title: hit.document.title, themeValues: hit.document.themes })),
      legend: shownThemes,
      apiQuery,
      moreHref: `${deps.config.BASE_URL}/offres?${apiQuery}`,
      baseUrl: deps.config.BASE_URL,
      config: { tileUrl: deps.config.TILE_URL, tileAttribution: deps.config.TILE_ATTRIBUTION },
      f: formatters,
      asset,
    });
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(html);
  });

  app.get('/integrer', { schema: { hide: true, querystring: BuilderQuery } }, async (request, reply) => {
    const raw = request.query;
    const errors: Record<string, string> = {};
    const choices = await territoryChoices(deps.db);
    let territoire = raw.territoire ?? (raw.department ? `d-${raw.department}` : raw.region ? `r-${raw.region}` : '');
    const embed: Embed = {};
    let communeLabel = raw.commune ?? '';
    if (raw.commune?.trim()) {
      const found = await resolveCommune(deps.db, raw.commune.trim());
      if ('commune' in found) {
        embed.commune = found.commune.codeInsee;
        communeLabel = found.commune.name;
        territoire ||= `d-${found.commune.departmentCode}`;
      } else {
        errors.commune =
          found.error === 'unknown'
            ? 'Commune introuvable : vérifiez l’orthographe ou saisissez le code postal.'
            : 'Plusieurs communes portent ce nom : précisez le code postal.';
      }
    }
    let epciLabel = raw.epci ?? '';
    if (raw.epci?.trim()) {
      const found = await resolveEpci(deps.db, raw.epci.trim());
      if ('epci' in found) {
        embed.epci = found.epci.code;
        epciLabel = found.epci.name;
      } else {
        errors.epci =
          found.error === 'unknown'
            ? 'Intercommunalité introuvable : saisissez son nom ou son numéro SIREN (9 chiffres).'
            : 'Plusieurs intercommunalités correspondent : précisez le nom ou saisissez le numéro SIREN.';
      }
    }
    const [kind, code] = territoire.split('-', 2) as [string, string | undefined];
    if (kind === 'd' && choices.departments.some((d) => d.code === code)) embed.department = code;
    else if (kind === 'r' && choices.regions.some((r) => r.code === code)) embed.region = code;
    else if (territoire) errors.territoire = 'Choisissez un territoire de la liste.';
    const themes = (raw.theme ?? []).filter((t) => taxonomy.themes.some((o) => o.value === t));
    if (themes.length) embed.theme = themes;
    if (raw.age?.trim()) {
      const age = Number(raw.age);
      if (Number.isInteger(age) && age >= taxonomy.AGE_MIN && age <= taxonomy.AGE_MAX) embed.age = age;
      else errors.age = `Indiquez un âge entre ${taxonomy.AGE_MIN} et ${taxonomy.AGE_MAX} ans.`;
    }
    const chosen = Boolean(embed.commune || embed.epci || embed.department || embed.region);
    // The select is optional in HTML (a commune or an EPCI alone will do): a submitted form without any territory is told so.
    if (!chosen && Object.keys(errors).length === 0 && Object.keys(raw).length > 0)
      errors.territoire = 'Choisissez un territoire, ou indiquez une intercommunalité ou une commune.';
    const ready = Object.keys(errors).length === 0 && chosen;
    const src = ready ? `${deps.config.BASE_URL}/integrer/carte?${queryString(embedParams(embed))}` : null;
    const territoryName = embed.commune
      ? communeLabel
      : embed.epci
        ? epciLabel
        : embed.department
          ? `${choices.departments.find((d) => d.code === embed.department)?.name} (${embed.department})`
          : choices.regions.find((r) => r.code === embed.region)?.name;
    return reply.page('observatory/embed-builder', {
      title: 'Intégrer la carte des offres',
      choices,
      values: { territoire, commune: communeLabel, epci: epciLabel, theme: themes, age: raw.age ?? '' },
      errors,
      taxonomy,
      src,
      previewSrc: src ? src.slice(deps.config.BASE_URL.length) : null,
      snippet: src
        ? `<iframe src="${src.replaceAll('&', '&amp;')}" title="Offres du Plan mercredi : ${territoryName ?? ''}" width="100%" height="720" loading="lazy" style="border:0"></iframe>`
        : null,
    });
  });
}
