import { describe, expect, it } from 'vitest';
import { jsonProblem, MAX_JSON_DEPTH } from '../../src/http/json-guard.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { k: value };
  return value;
};

describe('jsonProblem', () => {
  it('accepts ordinary bodies, and nesting up to the limit', () => {
    expect(jsonProblem({ data: { a: 'x', b: [1, 2, { c: null }], d: true } })).toBeNull();
    expect(jsonProblem(nested(MAX_JSON_DEPTH))).toBeNull();
  });

  it('refuses one level deeper, naming the start of the path', () => {
    const problem = jsonProblem(nested(MAX_JSON_DEPTH + 1));
    expect(problem?.status).toBe(400);
    expect(problem?.message).toBe(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(problem?.path.startsWith('k[0].k[0]')).toBe(true);
  });

  it('refuses 100,000 levels without overflowing the stack', () => {
    expect(jsonProblem(nested(100_000))?.status).toBe(400);
  });

  it('names the path of a NUL, a lone surrogate, and a bad key', () => {
    expect(jsonProblem({ data: { rows: [{ a: 'ok' }, { a: 'x\u0000y' }] } })).toEqual({
      status: 422,
      path: 'data.rows[1].a',
      message: 'holds a NUL character, which cannot be stored',
    });
    expect(jsonProblem({ data: { s: 'a\ud800' } })?.path).toBe('data.s');
    expect(jsonProblem({ data: { ['k\u0000']: 1 } })).toMatchObject({ status: 422, path: 'data' });
  });
});
