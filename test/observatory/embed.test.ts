import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
  const partner = await createOrganisation(app, { name: 'Théâtre des Pentes' });
  await insertOffer(app, partner.id, { title: 'Atelier théâtre & marionnettes', themes: ['culture'] });
  await insertOffer(app, partner.id, { title: 'Course d’orientation', themes: ['sport', 'environnement'], ageMin: 8, ageMax: 12 });
  await syncSearch(app);
});
afterAll(async () => {
  await app.close();
});

const csp = (headers: Record<string, unknown>) => String(headers['content-security-policy']);

describe('embeddable map', () => {
  it('lets any site frame the embed route, and no other page', async () => {
    const embed = await app.inject({ method: 'GET', url: '/integrer/carte?department=69' });
    expect(embed.statusCode).toBe(200);
    expect(csp(embed.headers)).toContain('frame-ancestors *');
    expect(csp(embed.headers)).not.toContain("frame-ancestors 'none'");
    expect(embed.headers['x-frame-options']).toBeUndefined();
    for (const url of ['/integrer', '/integrer?territoire=d-69', '/offres', '/territoires/departements/69/statistiques', '/connexion']) {
      const other = await app.inject({ method: 'GET', url });
      expect(csp(other.headers), url).toContain("frame-ancestors 'none'");
      expect(other.headers['x-frame-options'], url).toBe('SAMEORIGIN');
    }
  });

  it('shows the territory’s offers with a theme legend, links opening Passerelle in a new tab', async () => {
    const response = await app.inject({ method: 'GET', url: '/integrer/carte?department=69&theme=sport&age=9' });
    const html = response.body;
    expect(html).toContain('<h1>Offres du Plan mercredi : Rhône\u00a0(69)</h1>');
    expect(html).toContain('Course d’orientation');
    expect(html).not.toContain('Atelier théâtre');
    expect(html).toContain('<base target="_blank">');
    expect(html).toMatch(/<span class="theme-swatch theme-sport" aria-hidden="true"><\/span>Sport/);
    expect(html).toContain('data-api-query="department=69&amp;theme=sport&amp;age=9"');
    const links = [...html.matchAll(/<a [^>]*>/g)].map((m) => m[0]);
    expect(links.length).toBeGreaterThan(2);
    for (const link of links) expect(link).toMatch(/target="_blank" rel="noopener"/);
    const all = await app.inject({ method: 'GET', url: '/integrer/carte?commune=69382' });
    expect(all.body).toContain('Atelier théâtre &amp; marionnettes');
    expect(all.body).toContain('2\u00a0offres');
  });

  it('never shows anything signed-in, even when the session cookie is sent', async () => {
    const user = await createUser(app, { name: 'Mireille Coordinatrice' });
    const agent = await signedInAgent(app, user);
    const home = await agent.get('/');
    expect(home.body).toContain('Mireille Coordinatrice');
    const embed = await agent.get('/integrer/carte?department=69');
    expect(embed.statusCode).toBe(200);
    expect(embed.body).not.toContain('Mireille');
    expect(embed.body).not.toMatch(/Déconnexion|Mon compte|csrf|X-CSRF-Token/i);
    expect(embed.headers['set-cookie']).toBeUndefined();
  });

  it('answers 400 naming the parameter without a territory or with a bad one', async () => {
    const none = await app.inject({ method: 'GET', url: '/integrer/carte?theme=sport' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('department');
    const unknown = await app.inject({ method: 'GET', url: '/integrer/carte?department=00' });
    expect(unknown.statusCode).toBe(400);
    const badAge = await app.inject({ method: 'GET', url: '/integrer/carte?department=69&age=40' });
    expect(badAge.statusCode).toBe(400);
  });
});

describe('embed builder', () => {
  it('builds the iframe snippet of the chosen territory, themes and age, with a preview', async () => {
    const response = await app.inject({ method: 'GET', url: '/integrer?territoire=d-69&theme=sport&theme=culture&age=8' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(
      '&lt;iframe src=&quot;http://localhost:3000/integrer/carte?department=69&amp;amp;theme=sport&amp;amp;theme=culture&amp;amp;age=8&quot; title=&quot;Offres du Plan mercredi : Rhône (69)&quot;',
    );
    expect(response.body).toContain('<iframe class="embed-preview" src="/integrer/carte?department=69&amp;theme=sport&amp;theme=culture&amp;age=8"');
  });

  it('takes a commune by name, and the territory page’s parameters', async () => {
    const byName = await app.inject({ method: 'GET', url: '/integrer?commune=Villeurbanne' });
    expect(byName.body).toContain('/integrer/carte?commune=69266');
    const fromPage = await app.inject({ method: 'GET', url: '/integrer?department=33' });
    expect(fromPage.body).toContain('/integrer/carte?department=33');
  });

  it('shows an error beside the field for an unknown commune or an age out of range, and no snippet', async () => {
    const response = await app.inject({ method: 'GET', url: '/integrer?territoire=d-69&commune=00000&age=40' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Commune introuvable');
    expect(response.body).toContain('Indiquez un âge entre 3 et 17 ans.');
    expect(response.body).not.toContain('Votre code à copier');
    const empty = await app.inject({ method: 'GET', url: '/integrer' });
    expect(empty.body).not.toContain('Votre code à copier');
    expect(empty.body).not.toContain('error-message');
    // The select is optional (a commune or an EPCI alone will do): a form sent without any territory says what is missing.
    const none = await app.inject({ method: 'GET', url: '/integrer?territoire=&commune=&epci=&theme=sport' });
    expect(none.body).toContain('Choisissez un territoire, ou indiquez une intercommunalité ou une commune.');
    expect(none.body).not.toContain('Votre code à copier');
  });
});
