import { describe, expect, it } from 'vitest';
import { INTERFACE_LANGUAGES, interfaceTextIn } from '../../src/rules/interface-text.js';
import { MESSAGE_LANGUAGES } from '../../src/rules/messages.js';

/** Every key of a catalogue, nested ones as `status.draft`. */
function keysOf(catalogue: object, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' ? keysOf(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

/** Arguments for the texts that take some: a status's label, a save or submit; numbers for the rest. */
const ARGUMENTS: Record<string, unknown[]> = { cannotEdit: ['Draft'], problemsTitle: ['submit', 2] };

/** A catalogue's value at a key, as a person reads it (a function called with sample arguments). */
function sample(catalogue: object, key: string): string {
  const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], catalogue);
  if (typeof value === 'function')
    return String((value as (...a: unknown[]) => unknown)(...(ARGUMENTS[key] ?? [2, 3])));
  return String(value);
}

/** The fill and review pages' own words (src/rules/interface-text.ts). */
describe("the pages' own words in several languages", () => {
  it('is written in the languages of the engine’s messages', () => {
    expect([...INTERFACE_LANGUAGES].sort()).toEqual([...MESSAGE_LANGUAGES].sort());
  });

  it('has every key in every catalogue, each a non-empty text of the same kind', () => {
    const english = interfaceTextIn('en');
    const keys = keysOf(english).sort();
    for (const language of INTERFACE_LANGUAGES) {
      const catalogue = interfaceTextIn(language);
      expect(keysOf(catalogue).sort(), language).toEqual(keys);
      for (const key of keys) {
        expect(sample(catalogue, key).trim(), `${language} ${key}`).not.toBe('');
        expect(typeof sample(catalogue, key)).toBe(typeof sample(english, key));
      }
    }
  });

  it('translates: no Swahili or French text is the English one, beyond words both languages share', () => {
    const same = new Set(['latitude', 'longitude', 'altitude']);
    const english = interfaceTextIn('en');
    for (const language of ['sw', 'fr']) {
      const catalogue = interfaceTextIn(language);
      for (const key of keysOf(english).filter((k) => !same.has(k)))
        expect(sample(catalogue, key), `${language} ${key}`).not.toBe(sample(english, key));
    }
  });

  it('finds a catalogue by code or primary subtag, any case; English for none or one it lacks', () => {
    expect(interfaceTextIn('sw').submit).toBe('Tuma');
    expect(interfaceTextIn('sw-KE').saveDraft).toBe('Hifadhi rasimu');
    expect(interfaceTextIn('FR-ca').submit).toBe('Envoyer');
    expect(interfaceTextIn('pt').submit).toBe('Submit');
    expect(interfaceTextIn(undefined).submit).toBe('Submit');
    expect(interfaceTextIn('constructor').submit).toBe('Submit');
  });

  it('counts as each language does', () => {
    expect(interfaceTextIn('en').problemsTitle('submit', 1)).toBe('Not submitted: 1 problem to fix');
    expect(interfaceTextIn('en').problemsTitle('save', 2)).toBe('Not saved: 2 problems to fix');
    expect(interfaceTextIn('sw').problemsTitle('submit', 2)).toBe('Halijatumwa: matatizo 2 ya kurekebisha');
    expect(interfaceTextIn('fr').problemsTitle('save', 1)).toBe('Non enregistrée : 1 problème à corriger');
    expect(interfaceTextIn('en').rowLimits(1, 5)).toBe('at least 1, at most 5 rows');
    expect(interfaceTextIn('sw').rowLimits(undefined, 4)).toBe('safu zisizozidi 4');
    expect(interfaceTextIn('fr').rowLimits(1, 1)).toBe('au moins 1, au plus 1 ligne');
  });
});
