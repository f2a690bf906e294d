import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionSignatures, conventionVersions, partnershipConventions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import type { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createPartnershipFixture, pdfFonts, pdfInfo, pdfText } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** What a party's sign form carries, read before the submit so that two submits can leave at the same instant. */
async function signForm(agent: Agent, id: number, side: 'acm' | 'partner', name: string) {
  const page = await agent.get(`/partenariats/${id}/formalisation`);
  const textHash = /<code class="hash">([0-9a-f]{64})<\/code>/.exec(page.body)![1]!;
  const csrf = await agent.csrfToken();
  return () =>
    agent.post(`/partenariats/${id}/convention/signer`, { side, signerName: name, signerRole: 'Représentant·e légal·e', textHash, consent: 'on' }, { csrf });
}

async function state(id: number) {
  const [convention] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
  const signatures = (await app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id))).filter((s) => !s.voidedAt);
  const versions = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
  return { status: convention!.status, signatures, versions };
}

describe('signing the convention', () => {
  // Three rounds: the race was lost 3 times out of 3 by hand, a single round may slip through.
  it.each([1, 2, 3])('counts both signatures when the two parties sign at the same instant, and the convention is signed (round %i)', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    const [acm, partner] = await Promise.all([signForm(f.acmAgent, id, 'acm', 'Claire Dubois'), signForm(f.partnerAgent, id, 'partner', 'Karim Benali')]);
    const responses = await Promise.all([acm(), partner()]);
    expect(responses.map((r) => r.statusCode)).toEqual([303, 303]);
    const after = await state(id);
    expect(after.signatures.map((s) => s.side).sort()).toEqual(['acm', 'partner']);
    expect(after.status).toBe('signed');
    expect(after.versions).toHaveLength(1);
    expect(after.versions[0]!.signatures.map((s) => s.name).sort()).toEqual(['Claire Dubois', 'Karim Benali']);
  });

  it('keeps one signature per side when a party submits the form twice at once, without an error', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    const submit = await signForm(f.acmAgent, id, 'acm', 'Claire Dubois');
    const responses = await Promise.all([submit(), submit()]);
    expect(responses.map((r) => r.statusCode)).toEqual([303, 303]);
    expect((await state(id)).signatures).toHaveLength(1);
    const page = await f.acmAgent.get(`/partenariats/${id}/formalisation`);
    expect(page.body).not.toContain('déjà signé');
    // The other party can still sign, and the convention is signed.
    await (await signForm(f.partnerAgent, id, 'partner', 'Karim Benali'))();
    const after = await state(id);
    expect(after.status).toBe('signed');
    expect(after.signatures).toHaveLength(2);
    // A late repeat of the first submit changes nothing.
    expect((await submit()).statusCode).toBe(303);
    expect((await state(id)).signatures).toHaveLength(2);
    expect((await state(id)).versions).toHaveLength(1);
    // Every view tells the same step: the animation (the définition of the fixture is filled).
    const list = await f.partnerAgent.get('/partenariats');
    expect(list.body).toMatch(/Judo du mercredi[\s\S]*?<td>4 · Animation<\/td>/);
    const dashboard = await f.partnerAgent.get('/tableau-de-bord');
    expect(dashboard.body).toContain('étape 4, animation');
    const tracker = await f.partnerAgent.get(`/partenariats/${id}`);
    expect(tracker.body).toMatch(/is-current" aria-current="step">\s*<a href="\/partenariats\/\d+\/animation"/);
  });
});

describe('the convention on paper', () => {
  it('lists the signature already made in the draft PDF and the print view, without calling the draft a signed text', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    await (await signForm(f.acmAgent, id, 'acm', 'Claire Dubois'))();
    const [signature] = (await state(id)).signatures;
    const response = await f.partnerAgent.get(`/partenariats/${id}/convention.pdf`);
    expect(response.headers['content-disposition']).toContain('-projet.pdf');
    const text = pdfText(response.rawPayload);
    expect(text).toContain('PROJET — document non signé par les deux parties');
    expect(text).toContain(`${f.acm.name} — Claire Dubois, Représentant·e légal·e, a signé le`);
    expect(text).toContain(`Empreinte SHA-256 du texte que cette partie a signé : ${signature!.textHash}`);
    expect(text).toContain(`Empreinte SHA-256 de ce projet (non signé par les deux parties) : ${signature!.textHash}`);
    expect(text).not.toContain('Aucune signature');
    expect(text).not.toContain('Empreinte SHA-256 du texte signé');
    const print = await f.partnerAgent.get(`/partenariats/${id}/convention/imprimer`);
    expect(print.body).toContain('Claire Dubois, Représentant·e légal·e, a signé le');
    expect(print.body).toContain(signature!.textHash);
    expect(print.body).not.toContain('Empreinte SHA-256 du texte signé');
    // Once both signed: both signatures, each with the hash of the signed text.
    await (await signForm(f.partnerAgent, id, 'partner', 'Karim Benali'))();
    const signed = pdfText((await f.acmAgent.get(`/partenariats/${id}/convention.pdf`)).rawPayload);
    expect(signed).toContain('Claire Dubois, Représentant·e légal·e, a signé le');
    expect(signed).toContain('Karim Benali, Représentant·e légal·e, a signé le');
    expect(signed).toContain(`Empreinte SHA-256 du texte signé (version 1) : ${signature!.textHash}`);
    expect(signed).not.toContain('PROJET');
  });

  it('is a tagged PDF in French with its title and an embedded open font, which qpdf finds sound', async () => {
    const f = await createPartnershipFixture(app);
    const pdf = (await f.acmAgent.get(`/partenariats/${f.partnership.id}/convention.pdf`)).rawPayload;
    const fonts = pdfFonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.every((font) => font.embedded && /DejaVuSans/.test(font.name))).toBe(true);
    const info = pdfInfo(pdf);
    expect(info.Tagged).toBe('yes');
    expect(info.Title).toMatch(/^Convention de partenariat .+ \(projet\)$/);
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/Lang (fr-FR)');
    expect(raw).toContain('/DisplayDocTitle true');
    expect(raw).toContain('/StructTreeRoot');
    const file = join(mkdtempSync(join(tmpdir(), 'convention-')), 'convention.pdf');
    writeFileSync(file, pdf);
    expect(execFileSync('qpdf', ['--check', file]).toString()).toContain('No syntax or stream encoding errors found');
    // French and typographic signs survive: accents, apostrophe, guillemets, dash.
    expect(pdfText(pdf)).toContain('Article 1 — L’organisateur de l’accueil');
  });
});
