/** The requests of issue 16's first-time search mix, shared by the search bench and the memory bench. */

/** 40 activity words as people type them: some misspelt, some accented, a few two-word queries. */
export const MIX_WORDS = [
  'judo',
  'theatre',
  'théâtre',
  'theatr',
  'musique',
  'musiqe',
  'danse',
  'dance',
  'vélo',
  'velo',
  'football',
  'foot',
  'basket',
  'tennis',
  'escalade',
  'natation',
  'gymnastique',
  'karate',
  'lecture',
  'contes',
  'chant',
  'cinéma',
  'cinema',
  'photo',
  'peinture',
  'cirque',
  'patrimoine',
  'jardinage',
  'potager',
  'biodiversite',
  'ferme',
  'robotique',
  'programation',
  'astronomie',
  'cuisine',
  'secourisme',
  'anglais',
  'jeux de société',
  'hip hop',
  'atelier judo',
];

/**
 * The first-time mix of issue 16: each request centred on a random French commune moved by up to
 * ±0.01°, radius 5/10/20/30/50 km; 60 % with keywords, 50 % a theme, 40 % an age; page 1–3;
 * per_page 10/20/24/30. Returns the query string (without "?").
 */
export function issueMix(communes: { lat: number; lng: number }[], r: () => number): () => string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const themeList = ['sport', 'culture', 'environnement', 'sciences', 'citoyennete', 'sante', 'langues', 'jeux'];
  return () => {
    const { lat, lng } = pick(communes);
    const params = new URLSearchParams();
    if (r() < 0.6) params.set('q', pick(MIX_WORDS));
    if (r() < 0.5) params.set('theme', pick(themeList));
    if (r() < 0.4) params.set('age', String(3 + Math.floor(r() * 15)));
    params.set('near', `${(lat + (r() - 0.5) * 0.02).toFixed(6)},${(lng + (r() - 0.5) * 0.02).toFixed(6)}`);
    params.set('radius_km', String(pick([5, 10, 20, 30, 50])));
    params.set('page', String(1 + Math.floor(r() * 3)));
    params.set('per_page', String(pick([10, 20, 24, 30])));
    return params.toString();
  };
}

/** A generator of URLs never issued before by it. */
export function firstTimeOnly(make: () => string): () => string {
  const issued = new Set<string>();
  return () => {
    for (;;) {
      const path = make();
      if (!issued.has(path)) {
        issued.add(path);
        return path;
      }
    }
  };
}
