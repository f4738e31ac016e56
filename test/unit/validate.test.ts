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
});
