import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/rules/index.js';
import {
  checkLanguages,
  localize,
  pickLanguage,
  textIn,
  textSlots,
  withTranslation,
} from '../../src/rules/language.js';
import { translationWarnings, validateDefinition } from '../../src/templates/definition.validate.js';
import { compileJsonSchema } from '../../src/templates/json-schema.js';
import { definitionProblems as problems } from '../helpers/definitions.js';
import { FORMS } from '../rules/forms.js';

const form = () =>
  structuredClone(FORMS.lang) as unknown as Parameters<typeof validateDefinition>[0] & Record<string, unknown>;
const LANGS = { languages: ['en', 'sw'], defaultLanguage: 'en' };

describe('reading a text in a language', () => {
  it('takes the translation, else the default language, else any', () => {
    const text = { en: 'Village', sw: 'Kijiji' };
    expect(textIn(text, 'sw', 'en')).toBe('Kijiji');
    expect(textIn(text, 'fr', 'en')).toBe('Village');
    expect(textIn({ sw: 'Kijiji' }, 'fr', 'en')).toBe('Kijiji');
    expect(textIn('Village', 'sw', 'en')).toBe('Village');
    expect(textIn(undefined, 'sw', 'en')).toBe('');
    // A language named like an Object property is a key like another, never the prototype's.
    expect(textIn({ en: 'Village' }, 'constructor', 'en')).toBe('Village');
  });

  it("picks the caller's language: ?lang= first, then Accept-Language by weight, by primary subtag, else the default", () => {
    const def = { languages: ['en', 'sw', 'pt-BR'], defaultLanguage: 'en' };
    expect(pickLanguage(def, 'sw')).toBe('sw');
    expect(pickLanguage(def, undefined, 'fr-FR,fr;q=0.9,sw;q=0.8,en;q=0.5')).toBe('sw');
    expect(pickLanguage(def, 'de', 'en;q=0.2, sw-KE;q=0.7')).toBe('sw');
    expect(pickLanguage(def, 'PT-br')).toBe('pt-BR');
    expect(pickLanguage(def, 'sw;q=0, fr')).toBe('en');
    expect(pickLanguage(def)).toBe('en');
    expect(pickLanguage({ languages: ['sw', 'en'] }, 'de')).toBe('sw');
    expect(pickLanguage({}, 'sw')).toBeUndefined();
  });

  it('sets one translation: a string stays a string for the default, becomes a map for another language', () => {
    expect(withTranslation('Village', 'en', 'Town', LANGS)).toBe('Town');
    expect(withTranslation('Village', 'sw', 'Kijiji', LANGS)).toEqual({ en: 'Village', sw: 'Kijiji' });
    expect(withTranslation({ en: 'Village', sw: 'Kijiji' }, 'sw', '', LANGS)).toEqual({ en: 'Village' });
    expect(withTranslation({ en: 'Village' }, undefined, 'Town', LANGS)).toEqual({ en: 'Town' });
    expect(withTranslation(undefined, undefined, 'Town', {})).toBe('Town');
  });
});

describe('a definition in several languages', () => {
  it('lists every text on its path, in the order of the form', () => {
    const paths = textSlots(form()).map((s) => `${s.kind} ${s.path}`);
    expect(paths.slice(0, 4)).toEqual([
      'title title',
      'label sections[0].label',
      'label sections[0].fields[0].label',
      'label sections[0].fields[1].label',
    ]);
    expect(paths).toContain('option sections[0].fields[5].options[1].label');
    expect(paths).toContain('message sections[0].fields[6].rules.patternMessage');
    expect(paths).toContain('message sections[0].fields[4].constraints[0].message');
    expect(paths).toContain('message sections[0].constraints[0].message');
  });

  it('is localized once per language, every text a string, falling back to the default', () => {
    const def = validateDefinition(form());
    const sw = localize(def, 'sw');
    expect(localize(def, 'sw')).toBe(sw);
    expect(sw.title).toBe('Utafiti wa kaya');
    expect(sw.sections[0]!.fields.map((f) => f.label)).toEqual([
      'Watu wazima',
      'Watoto',
      'Jumla',
      'Mwanzo',
      'Mwisho',
      'Water',
      'Kibali',
    ]);
    const fr = localize(def, 'fr');
    expect(fr.sections[0]!.fields.map((f) => f.label)).toEqual([
      'Adults',
      'Enfants',
      'Total',
      'Start',
      'Fin',
      'Water',
      'Permit',
    ]);
    expect(fr.sections[0]!.fields[5]!.options!.map((o) => o.label)).toEqual(['Puits', 'Tap']);
    expect(localize(def, 'de')).toBe(localize(def, 'en'));
    // The stored definition is left as it is.
    expect(def.sections[0]!.label).toEqual({ en: 'Household', sw: 'Kaya', fr: 'Ménage' });
  });

  it('compiles its rules per language: constraint messages and labels in it', () => {
    const def = validateDefinition(form());
    const rules = compileRules(def, 'sw');
    expect(rules.language).toBe('sw');
    expect(compileRules(def, 'sw')).toBe(rules);
    expect(rules.check({ h: { adults: 1, start: '2024-05-02', end: '2024-05-01' } })).toEqual([
      { path: 'h.end', label: 'Mwisho', message: 'Mwisho ni siku ya mwanzo au baadaye', code: 'constraint' },
    ]);
    expect(compileRules(def).language).toBe('en');
  });

  it('has a JSON Schema per language, titles and descriptions in it', () => {
    const schema = compileJsonSchema(localize(validateDefinition(form()), 'sw'), {
      templateId: '1',
      version: 1,
      title: 'T',
    }) as { properties: { h: { title: string; properties: Record<string, { title: string; description?: string }> } } };
    expect(schema.properties.h.title).toBe('Kaya');
    expect(schema.properties.h.properties.children).toMatchObject({
      title: 'Watoto',
      description: 'Chini ya miaka 18',
    });
  });
});

describe('validating the languages of a definition', () => {
  it('accepts the three-language form, warning of each missing translation on its path', () => {
    const def = validateDefinition(form());
    const warnings = translationWarnings(def);
    expect(warnings).toContainEqual({
      path: 'sections[0].fields[0].label',
      message: 'no fr translation: the en text is shown',
    });
    expect(warnings).toContainEqual({
      path: 'sections[0].fields[5].options[1].label',
      message: 'no fr translation: the en text is shown',
    });
    expect(warnings.filter((w) => w.message.startsWith('no sw '))).toEqual([]); // Swahili is complete
    expect(warnings).toContainEqual({ path: 'title', message: 'no fr translation: the en text is shown' });
    expect(warnings.every((w) => !w.path.includes('fields[5].label'))).toBe(true); // a plain string is the same in every language
  });

  it('refuses a language a text is written in that the form does not declare, at its path', () => {
    const def = form();
    (def.sections as { fields: { label: unknown }[] }[])[0]!.fields[0]!.label = { en: 'Adults', de: 'Erwachsene' };
    expect(problems(def)).toEqual([
      'sections[0].fields[0].label.de: "de" is not one of the form\'s languages (en, sw, fr)',
    ]);
  });

  it('refuses a default language the form does not declare, and a language listed twice', () => {
    expect(problems({ ...form(), defaultLanguage: 'de' })).toEqual([
      'defaultLanguage: "de" is not one of the form\'s languages (en, sw, fr)',
    ]);
    expect(problems({ ...form(), languages: ['en', 'sw', 'fr', 'sw'] })).toEqual([
      'languages[3]: "sw" is listed twice',
    ]);
  });

  it('refuses texts by language in a form that declares none', () => {
    const def = { sections: [{ id: 's_one', key: 'a', label: { en: 'A' }, fields: [] }] };
    expect(problems(def)).toEqual(['sections[0].label.en: a text by language needs the form\'s "languages" declared']);
  });

  it('refuses a malformed language code and an empty translation by shape', () => {
    expect(problems({ ...form(), languages: ['English'] }).length).toBeGreaterThan(0);
    const def = form();
    (def.sections as { label: unknown }[])[0]!.label = { en: '' };
    expect(problems(def).length).toBeGreaterThan(0);
  });

  it('warns of nothing in a form with one language', () => {
    expect(checkLanguages(validateDefinition(structuredClone(FORMS.expr)) as never)).toEqual({
      errors: [],
      warnings: [],
    });
  });
});
