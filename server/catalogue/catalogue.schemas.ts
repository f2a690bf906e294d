import { type TSchema, Type } from '@sinclair/typebox';
import { slugs } from '../kernel/taxonomy.js';

const list = (values: readonly string[], description: string) =>
  Type.Optional(Type.Array(Type.String({ enum: [...values] }), { maxItems: 50, description: `${description} (répétable : OU)` }));
const codes = (pattern: string, description: string) => Type.Optional(Type.Array(Type.String({ pattern }), { maxItems: 50, description }));
const number = '-?\\d{1,3}(\\.\\d+)?';

/** The filters shared by /api/v1/offers, /api/v1/map and the search page. */
export const offerFilterProperties = {
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Texte libre (accents, pluriels et fautes de frappe tolérés)' })),
  theme: list(slugs.theme, 'Thème'),
  subtheme: list(slugs.subtheme, 'Sous-thème'),
  age: Type.Optional(Type.Integer({ minimum: 0, maximum: 99, description: 'Âge : offres dont la tranche d’âge le contient' })),
  age_band: list(slugs.age_band, 'Tranche d’âge (recouvrement)'),
  format: list(slugs.format, 'Format'),
  venue: list(slugs.venue, 'Lieu'),
  price: list(slugs.price, 'Tarif'),
  accessibility: list(slugs.accessibility, 'Handicap accueilli'),
  org_type: list(slugs.org_type, 'Type de structure'),
  nature: list(slugs.nature, 'Nature du partenariat'),
  slot: list(slugs.slot, 'Créneau'),
  near: Type.Optional(Type.String({ pattern: `^${number},${number}$`, description: 'Point « lat,lng » (avec radius_km)' })),
  radius_km: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'Rayon autour de near, en km' })),
  bbox: Type.Optional(Type.String({ pattern: `^${number},${number},${number},${number}$`, description: 'Rectangle « ouest,sud,est,nord »' })),
  commune: codes('^[0-9][0-9AB][0-9]{3}$', 'Code INSEE de commune (répétable)'),
  department: codes('^([0-9]{2,3}|2A|2B)$', 'Code de département (répétable)'),
  region: codes('^[0-9]{2}$', 'Code de région (répétable)'),
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
    region: offerFilterProperties.region,
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const ApiError = Type.Object({ error: Type.String(), parameter: Type.Optional(Type.String()), message: Type.String() });
