import { describe, expect, it } from 'vitest';
import { ENGLISH, MESSAGE_LANGUAGES, messagesIn } from '../../src/rules/messages.js';
import { FRENCH } from '../../src/rules/messages.fr.js';
import { SWAHILI } from '../../src/rules/messages.sw.js';
import { compileRules } from '../../src/rules/index.js';
import { pickLanguage } from '../../src/rules/language.js';
import { validateDefinition } from '../../src/templates/definition.validate.js';
import { FORMS } from '../rules/forms.js';

/** The engine's own messages by language (src/rules/messages*.ts); the rules table holds them message by message. */
describe("the engine's messages in several languages", () => {
  it('has Swahili and French catalogues with every message English has', () => {
    expect(MESSAGE_LANGUAGES).toEqual(['en', 'sw', 'fr']);
    expect(Object.keys(SWAHILI).sort()).toEqual(Object.keys(ENGLISH).sort());
    expect(Object.keys(FRENCH).sort()).toEqual(Object.keys(ENGLISH).sort());
  });

  it('finds a catalogue by code or primary subtag, any case; English for none or one it lacks', () => {
    expect(messagesIn('sw').text()).toBe('Weka maandishi');
    expect(messagesIn('sw-KE').text()).toBe('Weka maandishi');
    expect(messagesIn('FR-ca').text()).toBe('Saisissez du texte');
    expect(messagesIn('pt').text()).toBe('Enter text');
    expect(messagesIn(undefined).text()).toBe('Enter text');
    // A name that is a property of every object is a language like another, not the prototype's.
    expect(messagesIn('constructor').text()).toBe('Enter text');
    expect(messagesIn('sw')).toBe(messagesIn('sw'));
  });

  it('writes numbers as each language does', () => {
    const field = {
      id: 'f',
      key: 'n',
      label: 'N',
      type: 'decimal',
      rules: { min: 1234.5, max: 1_000_000 },
    } as Parameters<typeof ENGLISH.decimal>[0];
    expect(messagesIn('en').decimal(field)).toBe('Enter a number from 1,234.5 to 1,000,000');
    expect(messagesIn('sw').decimal(field)).toBe('Weka namba kuanzia 1,234.5 hadi 1,000,000');
    expect(messagesIn('fr').decimal(field)).toBe('Saisissez un nombre de 1\u202f234,5 à 1\u202f000\u202f000');
  });

  it('counts in each language: one and many, exactly, at least, at most', () => {
    const [en, sw, fr] = ['en', 'sw', 'fr'].map(messagesIn) as [typeof ENGLISH, typeof ENGLISH, typeof ENGLISH];
    expect([en.length(1, 1), sw.length(1, 1), fr.length(1, 1)]).toEqual([
      'Enter exactly 1 character',
      'Weka herufi 1 hasa',
      'Saisissez exactement 1 caractère',
    ]);
    expect([en.length(3, undefined), sw.length(3, undefined), fr.length(3, undefined)]).toEqual([
      'Enter at least 3 characters',
      'Weka angalau herufi 3',
      'Saisissez au moins 3 caractères',
    ]);
    expect([en.length(undefined, 1), sw.length(undefined, 1), fr.length(undefined, 1)]).toEqual([
      'Enter at most 1 character',
      'Weka herufi zisizozidi 1',
      'Saisissez au plus 1 caractère',
    ]);
    const choice = {
      id: 'f',
      key: 'c',
      label: 'C',
      type: 'multiple_choice',
      options: [],
      rules: { minItems: 1 },
    } as Parameters<typeof ENGLISH.choiceCount>[0];
    expect([en.choiceCount(choice), sw.choiceCount(choice), fr.choiceCount(choice)]).toEqual([
      'Choose at least 1 option',
      'Chagua angalau chaguo 1',
      'Choisissez au moins 1 option',
    ]);
  });

  it('follows the language the request negotiated (Accept-Language), as the form texts do', () => {
    const def = validateDefinition(structuredClone(FORMS.builtin));
    const verdict = (header: string) =>
      compileRules(def, pickLanguage(def, undefined, header)).check({
        v: { ch: 'well', ok: true, people: [{ name: 'A' }] },
      });
    expect(verdict('sw-KE,sw;q=0.9,en;q=0.5')).toEqual([
      { path: 'v.n', label: 'Vyumba', message: 'Jibu hili linahitajika', code: 'required' },
    ]);
    expect(verdict('fr-CA')).toEqual([
      { path: 'v.n', label: 'Pièces', message: 'Cette réponse est obligatoire', code: 'required' },
    ]);
    expect(verdict('pt-BR')).toEqual([
      { path: 'v.n', label: 'Quartos', message: 'This answer is required', code: 'required' },
    ]);
    expect(verdict('de')).toEqual([
      { path: 'v.n', label: 'Rooms', message: 'This answer is required', code: 'required' },
    ]);
  });

  it('keeps the language of a localized definition, as the fill page holds one', () => {
    const def = validateDefinition(structuredClone(FORMS.builtin));
    const sw = compileRules(def, 'sw').definition;
    // The fill page compiles the localized definition again without a language: still Swahili.
    expect(compileRules(sw).check({ v: { n: 3, ch: 'well', ok: true, people: [{ name: 'A' }], t: 5 } })).toEqual([
      { path: 'v.t', label: 'Msimbo', message: 'Weka maandishi', code: 'type' },
    ]);
    // A form whose texts are all plain strings still judges in the language asked for.
    const plain = validateDefinition({
      languages: ['en', 'fr'],
      defaultLanguage: 'en',
      sections: [{ id: 's_p', key: 'p', label: 'P', fields: [{ id: 'f_p', key: 'x', label: 'X', type: 'text' }] }],
    });
    expect(compileRules(plain, 'fr').check({ p: { x: 1 } })[0]!.message).toBe('Saisissez du texte');
    expect(compileRules(plain, 'en').check({ p: { x: 1 } })[0]!.message).toBe('Enter text');
    expect(compileRules(compileRules(plain, 'fr').definition).check({ p: { x: 1 } })[0]!.message).toBe(
      'Saisissez du texte',
    );
  });
});
