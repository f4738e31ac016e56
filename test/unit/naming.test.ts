import { describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/identifiers.js';
import type { Definition } from '../../src/templates/definition.schema.js';
import { columnBase, deriveNaming, snakeCase } from '../../src/templates/naming.js';

const field = (id: string, key: string) => ({ id, key, label: key, type: 'text' as const });
const def = (keys: string[]): Definition => ({
  sections: [{ id: 's_main', key: 'main', label: 'Main', fields: keys.map((k, i) => field(`f_${i}`, k)) }],
});

describe('naming of form data tables and columns', () => {
  it('derives readable snake_case names', () => {
    expect(snakeCase('First Name')).toBe('first_name');
    expect(snakeCase('firstName')).toBe('first_name');
    expect(snakeCase('Straße')).toBe('strasse');
    expect(snakeCase('Ünïcödé')).toBe('unicode');
    expect(snakeCase('名前')).toBe('');
  });

  it('handles hostile keys: reserved words, system columns, non-Latin, injection attempts', () => {
    const keys = [
      'select',
      'user',
      'id',
      'xmin',
      'ctid',
      'submission_id',
      'Straße',
      '名前',
      'a";drop table x;--',
      '1st',
    ];
    const naming = deriveNaming('12', def(keys), null);
    const columns = keys.map((_, i) => naming.sections.s_main!.columns[`f_${i}`]!.name);
    expect(columns).toEqual([
      'select',
      'user',
      'id_',
      'xmin_',
      'ctid_',
      'submission_id_',
      'strasse',
      'f_7',
      'a_drop_table_x',
      'c_1st',
    ]);
    for (const name of columns) {
      expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(quoteIdent(name)).toBe(`"${name}"`);
    }
    expect(naming.sections.s_main!.name).toBe('f12_main');
  });

  it('keeps names within 63 bytes, distinct for long keys sharing a prefix', () => {
    const a = 'x'.repeat(70) + 'aaaaaaaaaa';
    const b = 'x'.repeat(70) + 'bbbbbbbbbb';
    const naming = deriveNaming('7', def([a, b]), null);
    const [na, nb] = [naming.sections.s_main!.columns.f_0!.name, naming.sections.s_main!.columns.f_1!.name];
    expect(Buffer.byteLength(na)).toBeLessThanOrEqual(63);
    expect(Buffer.byteLength(nb)).toBeLessThanOrEqual(63);
    expect(na).not.toBe(nb);
    expect(na.startsWith('x'.repeat(40))).toBe(true);
  });

  it('resolves collisions deterministically', () => {
    const naming = deriveNaming('3', def(['Name', 'name', 'NAME']), null);
    expect(Object.values(naming.sections.s_main!.columns).map((c) => c.name)).toEqual(['name', 'name_2', 'name_3']);
    expect(deriveNaming('3', def(['Name', 'name', 'NAME']), null)).toEqual(naming);
  });

  it('keeps names by stable id across versions, retires removed fields, never reuses a name', () => {
    const v1 = deriveNaming('5', def(['village', 'age']), null);
    // v2: `village` renamed to `hamlet` (same id f_0), `age` removed, a new field keyed `age` added.
    const v2 = deriveNaming(
      '5',
      {
        sections: [{ id: 's_main', key: 'main', label: 'Main', fields: [field('f_0', 'hamlet'), field('f_9', 'age')] }],
      },
      v1,
    );
    const cols = v2.sections.s_main!.columns;
    expect(cols.f_0).toEqual({ name: 'village' });
    expect(cols.f_1).toEqual({ name: 'age', retired: true });
    expect(cols.f_9).toEqual({ name: 'age_2' });
  });

  it('names child tables after their section and table, and retires removed sections', () => {
    const v1 = deriveNaming(
      '9',
      {
        sections: [
          {
            id: 's_a',
            key: 'household',
            label: 'H',
            fields: [],
            tables: [{ id: 't_m', key: 'members', label: 'M', columns: [field('f_c', 'name')] }],
          },
        ],
      },
      null,
    );
    expect(v1.tables.t_m!.name).toBe('f9_household__members');
    const v2 = deriveNaming('9', { sections: [{ id: 's_b', key: 'household', label: 'H2', fields: [] }] }, v1);
    expect(v2.sections.s_a!.retired).toBe(true);
    expect(v2.tables.t_m!.retired).toBe(true);
    expect(v2.sections.s_b!.name).toBe('f9_household_2');
  });

  it('uses the stable id when a key has no Latin letters', () => {
    expect(columnBase('名前', 'f_8a9b')).toBe('f_8a9b');
    expect(columnBase('ΑΒΓ', 'f_1')).toBe('f_1');
  });
});
