import { expect, it } from 'vitest';
import { highlight } from '../../server/catalogue/catalogue.view.js';

it('marks the words searched for and their forms, never a stop word that shares their start', () => {
  const text = 'Danses du monde : on apprend à danser, une danse par séance. Nous venons dans votre accueil.';
  expect(highlight(text, ['danse'])).toBe(
    '<mark>Danses</mark> du monde : on apprend à <mark>danser</mark>, une <mark>danse</mark> par séance. Nous venons dans votre accueil.',
  );
  expect(highlight('Vélos & <b>', ['velo'])).toBe('<mark>Vélos</mark> &amp; &lt;b&gt;');
});
