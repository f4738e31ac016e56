import { describe, expect, it } from 'vitest';
import type { Definition } from '../../src/templates/definition.schema.js';
import { validateDefinition } from '../../src/templates/definition.validate.js';
import { deriveNaming } from '../../src/templates/naming.js';
import { planPublish } from '../../src/templates/plan.js';

const definition = (type: 'text' | 'integer'): Definition =>
  validateDefinition({
    sections: [
      { id: 's_h', key: 'household', label: 'Household', fields: [{ id: 'f_code', key: 'code', label: 'Code', type }] },
    ],
  });

function plans(online: boolean, choices = {}) {
  const v1 = definition('text');
  const n1 = deriveNaming('7', v1, null);
  const v2 = definition('integer');
  const n2 = deriveNaming('7', v2, n1);
  return planPublish(v2, n2, { version: 1, definition: v1, naming: n1 }, choices, {
    online: new Set(online ? ['f7_household'] : []),
  });
}

describe('the plan of an online type change', () => {
  it('one step on a small table: ALTER ... TYPE, nothing online', () => {
    const plan = plans(false);
    expect(plan.rewrites).toEqual(['f7_household']);
    expect(plan.online).toEqual([]);
    expect(plan.statements.map((s) => s.sql)).toEqual([
      expect.stringMatching(/^ALTER TABLE "forms"\."f7_household" ALTER COLUMN "code" TYPE bigint USING/),
    ]);
  });

  it('online on a big table: a shadow column and a trigger using the same expression, names reserved', () => {
    const plan = plans(true);
    const sql = plan.statements.map((s) => s.sql);
    expect(sql.some((s) => s.includes('ALTER COLUMN'))).toBe(false);
    expect(sql[0]).toBe('ALTER TABLE "forms"."f7_household" ADD COLUMN "code__converting" bigint');
    expect(sql[1]).toMatch(/^CREATE FUNCTION "forms"\."f7_household__code__convert"\(\) RETURNS trigger/);
    expect(sql[1]).toContain(`NEW."code__converting" := NULLIF(btrim(NEW."code"::text), '')::bigint;`);
    expect(sql[2]).toBe(
      'CREATE TRIGGER "f7_household__code__convert" BEFORE INSERT OR UPDATE OF "code" ON "forms"."f7_household" FOR ' +
        'EACH ROW EXECUTE FUNCTION "forms"."f7_household__code__convert"()',
    );
    expect(plan.online).toEqual([
      expect.objectContaining({
        field: 'household.code',
        keyColumn: 'submission_id',
        column: 'code',
        shadow: 'code__converting',
        retired: 'code__v1',
        setSql: `"code__converting" = NULLIF(btrim("code"::text), '')::bigint`,
        failingSql: expect.stringContaining('gridbook_can_cast'),
      }),
    ]);
    const table = plan.naming.sections.s_h!;
    expect(table.used).toEqual(expect.arrayContaining(['code', 'code__converting', 'code__v1']));
    expect(table.columns['f_code@v1']).toEqual({ name: 'code__v1', retired: true });
  });

  it("the builder's values stay literals, inside a dollar quote they cannot close", () => {
    const plan = plans(true, {
      'household.code': { onFailure: 'quarantine', map: { "$gb$'; DROP TABLE x; --": null } },
    });
    const fn = plan.statements.find((s) => s.sql.startsWith('CREATE FUNCTION'))!.sql;
    expect(fn).toMatch(/AS \$gb2\$\n/);
    expect(fn.endsWith('$gb2$')).toBe(true);
    expect(fn).toContain(`WHEN '$gb$''; DROP TABLE x; --' THEN NULL::bigint`);
    expect(plan.online[0]).toMatchObject({
      onFailure: 'quarantine',
      quarantineColumn: 'code__unconverted',
      quarantineAdded: true,
    });
    expect(plan.online[0]!.setSql).toContain('"code__unconverted" = CASE WHEN');
    // The quarantine column is added at publish; the backfill, not an UPDATE, fills it.
    expect(plan.statements.some((s) => s.sql.startsWith('UPDATE'))).toBe(false);
  });
});
