import type { Actor, GridRole, ServiceContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors/app-error.js';
import { gridRoleOf } from '../grids/grids.repository.js';
import { findSubmission, type SubmissionRow } from '../submissions/submissions.repository.js';
import {
  findTemplate,
  findTemplateHeader,
  type TemplateHeader,
  type TemplateRow,
} from '../templates/templates.repository.js';
import { authorizeInGrid } from './grid-access.js';
import { can, type Action } from './policy.js';

/**
 * Loading a record and checking an action on it, for the services of every feature: a record the
 * caller may not read does not exist for them (404); one they may read but not change is forbidden.
 */

/** Loads a template and checks an action on it against the caller's role in its grid. */
export async function authorizeTemplate(
  db: Queryable,
  ctx: ServiceContext,
  id: string,
  action: Action,
  opts: { forUpdate?: boolean; includeDeleted?: boolean } = {},
): Promise<TemplateRow> {
  const template = await findTemplate(db, id, opts);
  if (!template) throw new NotFoundError('Template', id);
  await authorizeTemplateInGrid(db, ctx, template, action);
  return template;
}

/**
 * authorizeTemplate for the hot paths (submitting, listing submissions): the template without its
 * working definition, and the actor's role in its grid (null for admins and non-members).
 */
export async function authorizeTemplateHeader(
  db: Queryable,
  ctx: ServiceContext,
  id: string,
  action: Action,
): Promise<{ template: TemplateHeader; role: GridRole | null }> {
  if (!ctx.actor) throw new UnauthenticatedError();
  const found = await findTemplateHeader(db, id, ctx.actor.id);
  if (!found) throw new NotFoundError('Template', id);
  const { member_role: knownRole, ...template } = found;
  return { template, role: await authorizeTemplateInGrid(db, ctx, template, action, knownRole) };
}

function authorizeTemplateInGrid(
  db: Queryable,
  ctx: ServiceContext,
  template: TemplateHeader,
  action: Action,
  knownRole?: GridRole | null,
): Promise<GridRole | null> {
  return authorizeInGrid(
    db,
    ctx,
    template.grid_id,
    'template',
    action,
    () => new NotFoundError('Template', template.id),
    {
      forbiddenMessage: 'Only builders and managers of this grid change its templates',
      knownRole,
    },
  );
}

export interface SubmissionAccessOptions {
  forUpdate?: boolean;
  /** Who reviews it, when not its reviewer_id (a section's reviewer, for templates reviewed per section). */
  reviewerId?: (row: SubmissionRow) => string | null;
  /** Why it is forbidden, in the caller's words (undefined: the generic message). */
  forbiddenMessage?: string | ((row: SubmissionRow) => string | undefined);
}

/**
 * Whether the actor may read a submission known by its grid and submitter (a file's holders, the
 * places where the same content appears): the same rule as `authorizeSubmission`, for lists of
 * rows already loaded.
 */
export async function mayReadSubmission(
  db: Queryable,
  actor: Actor,
  row: { gridId: string; submittedBy: string; reviewerId?: string | null },
): Promise<boolean> {
  const role = actor.role === 'admin' ? null : await gridRoleOf(db, row.gridId, actor.id);
  return can(actor, 'read', {
    type: 'submission',
    gridRole: role,
    own: row.submittedBy === actor.id,
    assigned: row.reviewerId === actor.id,
  });
}

/** Loads a submission and checks an action on it (not its state: the caller checks that). */
export async function authorizeSubmission(
  db: Queryable,
  ctx: ServiceContext,
  id: string,
  action: Action,
  options: SubmissionAccessOptions = {},
): Promise<{ row: SubmissionRow; role: GridRole | null }> {
  if (!ctx.actor) throw new UnauthenticatedError();
  const row = await findSubmission(db, id, { forUpdate: options.forUpdate });
  if (!row) throw new NotFoundError('Submission', id);
  const role = ctx.actor.role === 'admin' ? null : await gridRoleOf(db, row.grid_id, ctx.actor.id);
  const reviewer = options.reviewerId ? options.reviewerId(row) : row.reviewer_id;
  const subject = {
    type: 'submission' as const,
    gridRole: role,
    own: row.submitted_by === ctx.actor.id,
    assigned: reviewer === ctx.actor.id,
  };
  if (!can(ctx.actor, 'read', subject)) throw new NotFoundError('Submission', id);
  if (!can(ctx.actor, action, subject)) {
    const message = options.forbiddenMessage;
    throw new ForbiddenError(typeof message === 'function' ? message(row) : message);
  }
  return { row, role };
}
