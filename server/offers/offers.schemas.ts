import { Type } from '@sinclair/typebox';
import { formBody, formList, formText } from '../lib/schemas.js';

export const OrgParam = Type.Object({ orgId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

/** Every field of the editor (shape and size only: the use case gives the French messages). */
export const EditorBody = formBody({
  action: formText(20),
  organisationId: formText(20),
  title: formText(2000),
  summary: formText(5000),
  description: formText(20_000),
  themes: formList(20),
  subthemes: formList(100),
  formats: formList(20),
  ageMin: formText(20),
  ageMax: formText(20),
  groupMin: formText(20),
  groupMax: formText(20),
  adultsRequired: formText(20),
  accessibility: formList(10),
  slots: formList(10),
  periodicity: formText(40),
  sessionsCount: formText(20),
  startDate: formText(40),
  endDate: formText(40),
  venue: formText(40),
  travelKm: formText(20),
  departmentsServed: formText(1000),
  address: formText(1000),
  commune: formText(500),
  codeInsee: formText(20),
  lat: formText(40),
  lng: formText(40),
  price: formText(40),
  priceEur: formText(40),
  priceDetails: formText(2000),
  natures: formList(20),
  regulated: formText(10),
  contactEmail: formText(500),
});

export const NextBody = formBody({ suivant: formText(500) });

export const ReasonBody = formBody({ code: formText(100), reason: formText(10_000), suivant: formText(500) });

export const ReportBody = formBody({ reason: formText(100), message: formText(10_000) });

export const CsrfQuery = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 500 })) });

export const MediaParam = Type.Object({ file: Type.String({ pattern: '^[a-f0-9]{24}(-vignette)?\\.(webp|jpg)$', maxLength: 60 }) });
