import type { Knex } from 'knex';
import sql, { raw, type Sql } from 'sql-template-tag';
import type { Actor, GridRole } from '../context.js';
import { can } from './policy.js';

/**
 * Which submissions an actor sees, worked out once from the policy (policy.ts, `read` on a
 * submission) and the actor's grid roles: every submission, none, or those of some grids plus the
 * actor's own in others. Every list, count and chart of submissions (the API's list, the admin
 * panel's list, its dashboard, the typed form data tables) applies it through one of the adapters
 * below, so the rule is written once.
 */
export type VisibleScope =
  | { kind: 'all' }
  | { kind: 'none' }
  /** `allIn`: grids whose submissions the actor sees in full; `ownIn`: grids where they see their own. */
  | { kind: 'grids'; allIn: string[]; ownIn: string[]; userId: string };

const ALL: VisibleScope = { kind: 'all' };
const NONE: VisibleScope = { kind: 'none' };

/** `memberships`: the actor's role in each grid they belong to, by grid id. */
export function visibleScope(actor: Actor | null, memberships: Record<string, GridRole>): VisibleScope {
  if (!actor) return NONE;
  // Reading a submission of a grid one has no role in: only admins may.
  if (can(actor, 'read', { type: 'submission', gridRole: null, own: false })) return ALL;
  const allIn: string[] = [];
  const ownIn: string[] = [];
  for (const [gridId, gridRole] of Object.entries(memberships)) {
    if (can(actor, 'read', { type: 'submission', gridRole, own: false })) allIn.push(gridId);
    else if (can(actor, 'read', { type: 'submission', gridRole, own: true })) ownIn.push(gridId);
  }
  return allIn.length || ownIn.length ? { kind: 'grids', allIn, ownIn, userId: actor.id } : NONE;
}

/** The scope inside one grid: all of its submissions, none, or the actor's own. */
export function visibleInGrid(scope: VisibleScope, gridId: string): VisibleScope {
  if (scope.kind !== 'grids') return scope;
  if (scope.allIn.includes(gridId)) return ALL;
  if (scope.ownIn.includes(gridId)) return { kind: 'grids', allIn: [], ownIn: [gridId], userId: scope.userId };
  return NONE;
}

/** Column names (qualified as the query needs) of the submissions a scope is applied to. */
export interface SubmissionColumns {
  gridId: string;
  submittedBy: string;
}

const IDENTIFIER_PATH = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

function columnsOf(columns: SubmissionColumns): SubmissionColumns {
  // Written by the code that applies a scope, never by users; checked all the same.
  for (const c of [columns.gridId, columns.submittedBy])
    if (!IDENTIFIER_PATH.test(c)) throw new Error(`not a column name: ${c}`);
  return columns;
}

/** The scope as a SQL condition, values as parameters (compose it into a statement with `sql`). */
export function visibleScopeSql(
  scope: VisibleScope,
  columns: SubmissionColumns = { gridId: 's.grid_id', submittedBy: 's.submitted_by' },
): Sql {
  if (scope.kind === 'all') return sql`true`;
  if (scope.kind === 'none') return sql`false`;
  const { gridId, submittedBy } = columnsOf(columns);
  const grid = raw(gridId);
  return sql`(${grid} = ANY (${scope.allIn}::bigint[]) OR (${grid} = ANY (${scope.ownIn}::bigint[]) AND ${raw(submittedBy)} = ${scope.userId}))`;
}

/**
 * The scope for a knex query (the admin panel's resources): 'all', 'none' (no query at all), or a
 * function adding the WHERE clause.
 */
export function visibleScopeKnex(
  scope: VisibleScope,
  columns: SubmissionColumns = { gridId: 'submissions.grid_id', submittedBy: 'submissions.submitted_by' },
): 'all' | 'none' | ((qb: Knex.QueryBuilder) => void) {
  if (scope.kind !== 'grids') return scope.kind;
  const { gridId, submittedBy } = columnsOf(columns);
  return (qb) => {
    qb.where((q) => {
      if (scope.allIn.length) q.whereIn(gridId, scope.allIn);
      if (scope.ownIn.length) q.orWhere((own) => own.whereIn(gridId, scope.ownIn).andWhere(submittedBy, scope.userId));
    });
  };
}
