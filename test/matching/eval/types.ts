/** The evaluation set's own shapes: plain data, independent of the app's tables and of the scorer. */

export interface EvalPlace {
  lat: number;
  lng: number;
  department: string;
  commune: string;
}

export interface EvalOffer {
  id: number;
  title: string;
  partner: string;
  themes: string[];
  subthemes: string[];
  ageMin: number;
  ageMax: number;
  venue: 'dans-l-accueil' | 'chez-le-partenaire' | 'autre-lieu';
  /** The partner's base. */
  base: EvalPlace;
  /** Where the activity happens (chez-le-partenaire, autre-lieu). */
  place: EvalPlace | null;
  travelKm: number | null;
  departmentsServed: string[];
  groupMin: number | null;
  groupMax: number | null;
  slots: string[];
  startDate: string | null;
  endDate: string | null;
  price: 'gratuit' | 'payant' | 'sur-devis';
  priceEur: number | null;
  accessibility: string[];
  verified: boolean;
  answeredRate: number | null;
}

export interface EvalNeed {
  id: number;
  /** What the director wrote, for the reader of the set. */
  title: string;
  acm: EvalPlace & { name: string };
  themes: string[];
  subthemes: string[];
  ageMin: number;
  ageMax: number;
  groupSize: number | null;
  slots: string[];
  startDate: string | null;
  endDate: string | null;
  budgetEur: number | null;
  venuePreference: string[];
  maxTravelKm: number | null;
  accessibilityRequired: string[];
}
