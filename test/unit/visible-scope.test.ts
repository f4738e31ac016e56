import { describe, expect, it } from 'vitest';
import type { Actor, GlobalRole } from '../../src/context.js';
import { visibleInGrid, visibleScope, visibleScopeSql } from '../../src/permissions/visible-scope.js';

const actor = (role: GlobalRole, id = '7'): Actor => ({ id, email: `${role}@x.test`, role });

describe('visibleScope: which submissions an actor sees, from the policy', () => {
  it('admins see all, anonymous callers and users without grids none', () => {
    expect(visibleScope(actor('admin'), {})).toEqual({ kind: 'all' });
    expect(visibleScope(null, { 1: 'manager' })).toEqual({ kind: 'none' });
    expect(visibleScope(actor('builder'), {})).toEqual({ kind: 'none' });
  });

  it('reviewers, builders and managers of a grid see all of it; submitters their own (the grid role counts, not the global one)', () => {
    const scope = visibleScope(actor('reviewer'), { 1: 'reviewer', 2: 'submitter', 3: 'builder', 4: 'manager' });
    expect(scope).toEqual({ kind: 'grids', allIn: ['1', '3', '4'], ownIn: ['2'], userId: '7' });
    expect(visibleInGrid(scope, '3')).toEqual({ kind: 'all' });
    expect(visibleInGrid(scope, '2')).toEqual({ kind: 'grids', allIn: [], ownIn: ['2'], userId: '7' });
    expect(visibleInGrid(scope, '9')).toEqual({ kind: 'none' });
  });

  it('becomes one SQL condition with its values as parameters', () => {
    const condition = visibleScopeSql(visibleScope(actor('submitter'), { 5: 'submitter' }));
    expect(condition.text).toBe(
      '(s.grid_id = ANY ($1::bigint[]) OR (s.grid_id = ANY ($2::bigint[]) AND s.submitted_by = $3))',
    );
    expect(condition.values).toEqual([[], ['5'], '7']);
    expect(visibleScopeSql({ kind: 'all' }).text).toBe('true');
    expect(visibleScopeSql({ kind: 'none' }).text).toBe('false');
    expect(() =>
      visibleScopeSql(visibleScope(actor('submitter'), { 5: 'submitter' }), { gridId: 'x; DROP', submittedBy: 'u' }),
    ).toThrow(/not a column name/);
  });
});
