import { type TSchema, Type } from '@sinclair/typebox';
import { facetNames } from '../../search/types.js';
import { COORDINATE_PATTERN } from '../kernel/distance.js';
import { slugs } from '../kernel/taxonomy.js';

const list = (values: readonly string[], description: string) =>
  // Literals, not a string's `enum`: the search pages' own check (TypeBox) reads no `enum`, and let an unknown theme through.
  Type.Optional(Type.Array(Type.Union(values.map((value) => Type.Literal(value))), { maxItems: 50, description: `${description} (répétable : OU)` }));
const codes = (pattern: string, description: string) => Type.Optional(Type.Array(Type.String({ pattern }), { maxItems: 50, description }));
const number = COORDINATE_PATTERN;
const date = '^\\d{4}-\\d{2}-\\d{2}$';

/** The filters shared by /api/v1/offers, /api/v1/map and the search page. */
export const offerFilterProperties = {
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Texte libre (accents, pluriels et fautes de frappe tolérés)' })),
  theme: list(slugs.theme, 'Thème'),
  subtheme: list(slugs.subtheme, 'Sous-thème'),
  age: Type.Optional(Type.Integer({ minimum: 0, maximum: 99, description: 'Âge : offres dont la tranche d’âge le contient' })),
  age_min: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 99, description: 'Âges de… : offres dont la tranche d’âge recoupe age_min–age_max (« de 8 à 11 ans »)' }),
  ),
  age_max: Type.Optional(Type.Integer({ minimum: 0, maximum: 99, description: '…à : fin de la tranche d’âge cherchée (avec ou sans age_min)' })),
  age_band: list(slugs.age_band, 'Tranche d’âge (recouvrement)'),
  format: list(slugs.format, 'Format'),
  venue: list(slugs.venue, 'Lieu'),
  price: list(slugs.price, 'Tarif'),
  accessibility: list(slugs.accessibility, 'Handicap accueilli'),
  org_type: list(slugs.org_type, 'Type de structure'),
  nature: list(slugs.nature, 'Nature du partenariat'),
  slot: list(slugs.slot, 'Créneau du mercredi'),
  available_from: Type.Optional(
    Type.String({ pattern: date, description: 'Disponible à partir du (AAAA-MM-JJ) : offres dont la période de disponibilité recoupe la période cherchée' }),
  ),
  available_to: Type.Optional(Type.String({ pattern: date, description: 'Disponible jusqu’au (AAAA-MM-JJ)' })),
  comes_to: Type.Optional(
    Type.String({
      pattern: '^[0-9][0-9AB][0-9]{3}$',
      description:
        'Code INSEE d’une commune : offres qui viennent dans l’accueil (lieu « dans-l-accueil », commune dans le rayon de déplacement ou département desservi)',
    }),
  ),
  near: Type.Optional(Type.String({ pattern: `^${number},${number}$`, description: 'Point « lat,lng » (avec radius_km)' })),
  radius_km: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'Rayon autour de near, en km' })),
  bbox: Type.Optional(Type.String({ pattern: `^${number},${number},${number},${number}$`, description: 'Rectangle « ouest,sud,est,nord »' })),
  commune: codes('^[0-9][0-9AB][0-9]{3}$', 'Code INSEE de commune (répétable)'),
  department: codes('^([0-9]{2,3}|2A|2B)$', 'Code de département (répétable)'),
  region: codes('^[0-9]{2}$', 'Code de région (répétable)'),
  epci: codes('^[0-9]{9}$', 'SIREN d’une intercommunalité : EPCI à fiscalité propre ou établissement public territorial du Grand Paris (répétable)'),
} satisfies Record<string, TSchema>;

export const OffersQuery = Type.Object(
  {
    ...offerFilterProperties,
    sort: Type.Optional(Type.Union([Type.Literal('relevance'), Type.Literal('distance'), Type.Literal('recent')], { default: 'relevance' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const MapQuerySchema = Type.Object(
  {
    ...offerFilterProperties,
    bbox: Type.String({ pattern: `^${number},${number},${number},${number}$`, description: 'Rectangle « ouest,sud,est,nord »' }),
    zoom: Type.Optional(Type.Integer({ minimum: 0, maximum: 22, description: 'Niveau de zoom : en dessous de 13, regroupement des offres' })),
  },
  { additionalProperties: false },
);

export const OrganisationsQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    org_type: list(slugs.org_type, 'Type de structure'),
    theme: list(slugs.theme, 'Thème'),
    near: offerFilterProperties.near,
    radius_km: offerFilterProperties.radius_km,
    bbox: offerFilterProperties.bbox,
    commune: offerFilterProperties.commune,
    department: offerFilterProperties.department,
    epci: offerFilterProperties.epci,
    region: offerFilterProperties.region,
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

// Responses of the public API (PRODUCT.md): they document the contract and serialise the replies.
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const slugList = Type.Array(Type.String());
const Contact = nullable(
  Type.Object(
    { email: nullable(Type.String()), phone: nullable(Type.String()) },
    { description: 'E-mail et téléphone du partenaire : null sauf pour les membres connectés d’un accueil vérifié, ou si le partenaire les rend publics' },
  ),
);

const Location = Type.Object({
  lat: nullable(Type.Number()),
  lng: nullable(Type.Number()),
  commune: nullable(Type.String()),
  code_insee: nullable(Type.String()),
  department: nullable(Type.String()),
});

const offerItemProperties = {
  id: Type.Integer(),
  external_id: nullable(Type.String()),
  url: Type.String({ format: 'uri' }),
  title: Type.String(),
  summary: Type.String(),
  themes: slugList,
  subthemes: slugList,
  formats: slugList,
  venue: Type.String(),
  travel_km: nullable(Type.Number({ description: 'Rayon de déplacement (lieu « dans-l-accueil »)' })),
  age_min: Type.Integer(),
  age_max: Type.Integer(),
  price: Type.String(),
  organisation: Type.Object({ id: Type.Integer(), name: Type.String(), type: nullable(Type.String()), url: Type.String({ format: 'uri' }) }),
  location: Location,
  distance_km: nullable(Type.Number({ description: 'Distance au point near, en km' })),
};
const OfferItem = Type.Object(offerItemProperties);

const Facets = Type.Object(
  Object.fromEntries(facetNames.map((name) => [name, Type.Record(Type.String(), Type.Integer(), { description: 'slug → nombre d’offres' })])),
);

export const OffersResponse = Type.Object(
  {
    total: Type.Integer(),
    page: Type.Integer(),
    per_page: Type.Integer(),
    items: Type.Array(OfferItem),
    facets: Facets,
  },
  { description: 'Une page d’offres et les facettes (chaque facette comptée avec les filtres des autres)' },
);

export const OfferDetailResponse = Type.Object(
  {
    ...offerItemProperties,
    description: Type.String(),
    age_bands: slugList,
    accessibility: slugList,
    natures: slugList,
    slots: slugList,
    departments_served: slugList,
    published_at: nullable(Type.String({ format: 'date-time' })),
    contact: Contact,
  },
  { description: 'L’offre publiée' },
);

const Point = Type.Object({ type: Type.Literal('Point'), coordinates: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[lng, lat]' }) });
const ClusterProperties = Type.Object({
  cluster: Type.Literal(true),
  count: Type.Integer(),
  bbox: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'ouest, sud, est, nord' }),
});
const OfferProperties = Type.Object({
  cluster: Type.Literal(false),
  count: Type.Literal(1),
  id: Type.Integer(),
  title: Type.String(),
  path: Type.String(),
  organisation: Type.String(),
  venue: Type.String(),
  travel_km: nullable(Type.Number()),
  theme: nullable(Type.String({ description: 'Premier thème de l’offre (couleur du repère)' })),
});

export const MapResponse = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    total: Type.Integer(),
    clustered: Type.Boolean(),
    features: Type.Array(Type.Object({ type: Type.Literal('Feature'), geometry: Point, properties: Type.Union([ClusterProperties, OfferProperties]) })),
  },
  { description: 'GeoJSON : des offres, ou des groupes d’offres en dessous du zoom 13' },
);

const organisationItemProperties = {
  id: Type.Integer(),
  name: Type.String(),
  type: nullable(Type.String()),
  url: Type.String({ format: 'uri' }),
  themes: slugList,
  verified: Type.Boolean(),
  offers_count: Type.Integer(),
  location: Location,
  distance_km: nullable(Type.Number()),
  contact: Contact,
};

export const OrganisationsResponse = Type.Object(
  {
    total: Type.Integer(),
    page: Type.Integer(),
    per_page: Type.Integer(),
    items: Type.Array(Type.Object(organisationItemProperties)),
  },
  { description: 'Une page de structures partenaires' },
);

export const OrganisationDetailResponse = Type.Object(
  {
    ...organisationItemProperties,
    description: Type.String(),
    website: nullable(Type.String()),
    offers: Type.Array(OfferItem),
  },
  { description: 'La structure et ses offres publiées' },
);
