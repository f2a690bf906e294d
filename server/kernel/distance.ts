/** The radius of the sphere PostgreSQL's earthdistance uses, so that JS and SQL distances agree. */
export const EARTH_RADIUS_KM = 6378.168;

/** Great-circle (haversine) distance in km; four numbers rather than points because the search snapshot calls it in tight loops. */
export function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A coordinate as links and the API write it: « 45.76 », « -0.5 ». */
export const COORDINATE_PATTERN = '-?\\d{1,3}(\\.\\d+)?';
const POINT = new RegExp(`^${COORDINATE_PATTERN},${COORDINATE_PATTERN}$`);

/** A « lat,lng » point as the API's near parameter writes it; null for anything else, a point off the globe included. */
export function parsePoint(text: string): { lat: number; lng: number } | null {
  if (!POINT.test(text)) return null;
  const [lat, lng] = text.split(',').map(Number) as [number, number];
  return Math.abs(lat) <= 90 && Math.abs(lng) <= 180 ? { lat, lng } : null;
}
