import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/app-error.js';
import { compileValidator, pointerToPath } from '../../src/validation/validate.js';

describe('validation', () => {
  it('turns JSON pointers into readable paths', () => {
    expect(pointerToPath('/sections/2/fields/5/key')).toBe('sections[2].fields[5].key');
    expect(pointerToPath('')).toBe('');
    expect(pointerToPath('/a~1b/c~0d')).toBe('a/b.c~d');
  });

  it('reports every problem by path, and drops unknown properties', () => {
    const validate = compileValidator(
      Type.Object({
        email: Type.String({ format: 'email' }),
        role: Type.Union([Type.Literal('a'), Type.Literal('b')]),
      }),
    );
    try {
      validate({ email: 'nope', role: 'c' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const details = (error as ValidationError).details.map((d) => d.path);
      expect(details).toContain('email');
      expect(details).toContain('role');
    }
    expect(() => validate({ role: 'a' })).toThrow('email: is required');
    expect(validate({ email: 'a@b.co', role: 'a', status: 'approved' })).toEqual({ email: 'a@b.co', role: 'a' });
  });

  it('words every problem for a person (no regular expression, no AJV phrasing), keeping the keyword as the code', () => {
    const validate = compileValidator(
      Type.Object({
        name: Type.String({ minLength: 3, maxLength: 5 }),
        code: Type.String({ pattern: '^[A-Z]{2}-[0-9]+$' }),
        slug: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' }),
        size: Type.Integer({ minimum: 1, maximum: 9 }),
        tags: Type.Array(Type.String(), { minItems: 1 }),
        when: Type.String({ format: 'date' }),
      }),
    );
    const details = (input: unknown) => {
      try {
        validate(input);
      } catch (error) {
        return (error as ValidationError).details.map((d) => ({ path: d.path, message: d.message, code: d.code }));
      }
      return [];
    };
    const problems = details({ name: 'ab', code: 'x', slug: 'Not A Slug', size: 0, tags: [], when: 'soon' });
    expect(problems).toEqual([
      { path: 'name', message: 'At least 3 characters', code: 'minLength' },
      { path: 'code', message: 'Use the format shown in the help text', code: 'pattern' },
      { path: 'slug', message: 'Use lowercase letters and digits, words joined by single hyphens', code: 'pattern' },
      { path: 'size', message: '1 or more', code: 'minimum' },
      { path: 'tags', message: 'At least 1 item', code: 'minItems' },
      { path: 'when', message: 'Use a date like 2024-03-31', code: 'format' },
    ]);
    expect(details({ name: 'abcdef', code: 'AB-1', slug: 'a-b', size: 10, tags: ['x'], when: '2024-01-02' })).toEqual([
      { path: 'name', message: 'At most 5 characters', code: 'maxLength' },
      { path: 'size', message: '9 or less', code: 'maximum' },
    ]);
    for (const p of problems) expect(p.message).not.toMatch(/must|\^|\$"|pattern/);
  });
});
