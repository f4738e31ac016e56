import { describe, expect, it } from 'vitest';
import { Slug } from '../../src/grids/grids.schema.js';
import { slugFromTitle } from '../../src/grids/slug.js';
import { compileValidator } from '../../src/validation/validate.js';

describe('slugFromTitle', () => {
  const accepts = compileValidator(Slug);
  it.each([
    ['Village survey 2024', 'village-survey-2024'],
    ['  Écoles — rentrée  ', 'ecoles-rentree'],
    ['Water / Sanitation & Hygiene', 'water-sanitation-hygiene'],
    ['---', ''],
    ['Ввод данных', ''],
    ['a'.repeat(62) + ' b', 'a'.repeat(62)],
  ])('%j -> %j', (title, slug) => {
    expect(slugFromTitle(title)).toBe(slug);
    if (slug) expect(() => accepts(slug)).not.toThrow();
  });
});
