import type { Actor, GridRole } from '../context.js';
import { ForbiddenError, UnauthenticatedError } from '../errors/app-error.js';

/**
 * The one permission module: "may this actor do this action to this subject". The API, every
 * AdminJS action and every admin list ask it; hidden buttons are not security. Deny by default.
 *
 * Grid-scoped subjects carry the actor's role inside that grid (null when not a member), looked up
 * by the caller for the record at hand (see grids.repository.ts: gridRoleOf).
 */

export type Action =
  | 'list'
  | 'read'
  | 'create'
  | 'edit'
  | 'delete'
  | 'restore'
  | 'publish'
  | 'purge'
  | 'retry'
  | 'export'
  | 'submit'
  | 'claim'
  | 'approve'
  | 'reject'
  | 'reopen'
  | 'comment'
  | 'read_audit'
  | 'resolve';

export type Subject =
  | { type: 'user'; id?: string }
  | { type: 'grid'; gridRole: GridRole | null }
  | { type: 'grid_member'; gridRole: GridRole | null }
  | { type: 'template'; gridRole: GridRole | null }
  /** `own`: the actor submitted it; `assigned`: the actor is its current reviewer. */
  | { type: 'submission'; gridRole: GridRole | null; own: boolean; assigned?: boolean }
  /** `assignee` / `creator`: the actor is the follow-up's assignee / author. */
  | { type: 'follow_up'; gridRole: GridRole | null; assignee: boolean; creator: boolean }
  /** A grid's webhooks and their deliveries. */
  | { type: 'webhook'; gridRole: GridRole | null }
  | { type: 'audit_log' };

export type SubjectType = Subject['type'];

type Rule = (actor: Actor, subject: Subject) => boolean;

const isMember = (_a: Actor, s: Subject) => 'gridRole' in s && s.gridRole !== null;
const isManager = (_a: Actor, s: Subject) => 'gridRole' in s && s.gridRole === 'manager';
const isOwn = (_a: Actor, s: Subject) => s.type === 'submission' && s.own;
const isAssigned = (_a: Actor, s: Subject) => s.type === 'submission' && s.assigned === true;
const hasGridRole =
  (...roles: GridRole[]) =>
  (_a: Actor, s: Subject) =>
    'gridRole' in s && s.gridRole !== null && roles.includes(s.gridRole);
const isGridBuilder = (_a: Actor, s: Subject) =>
  'gridRole' in s && (s.gridRole === 'manager' || s.gridRole === 'builder');
function readSubmission(a: Actor, s: Subject): boolean {
  return (isMember(a, s) && isOwn(a, s)) || hasGridRole('reviewer', 'builder', 'manager')(a, s);
}
function ownInGrid(a: Actor, s: Subject): boolean {
  return isMember(a, s) && isOwn(a, s);
}
const isSelf = (a: Actor, s: Subject) => s.type === 'user' && s.id === a.id;
const isBuilder = (a: Actor) => a.role === 'builder';

/**
 * What non-admins may do. Admins may do everything; anything not listed is refused.
 * `list` on a grid-scoped type means "may open the list"; which rows it shows is scoped separately
 * (listScope below).
 */
const RULES: Record<SubjectType, Partial<Record<Action, Rule>>> = {
  user: {
    read: isSelf,
  },
  grid: {
    list: () => true,
    read: isMember,
    create: isBuilder,
    edit: isManager,
    delete: isManager,
    restore: isManager,
  },
  grid_member: {
    list: () => true,
    read: isMember,
    create: isManager,
    edit: isManager,
    delete: isManager,
  },
  template: {
    list: () => true,
    read: isMember,
    create: isGridBuilder,
    edit: isGridBuilder,
    publish: isGridBuilder,
    purge: isManager,
    delete: isManager,
    restore: isManager,
    export: hasGridRole('reviewer', 'builder', 'manager'),
  },
  submission: {
    list: isMember,
    read: readSubmission,
    create: hasGridRole('submitter', 'builder', 'manager'),
    edit: ownInGrid,
    delete: ownInGrid,
    submit: ownInGrid,
    claim: hasGridRole('reviewer', 'manager'),
    approve: (a, s) => (hasGridRole('reviewer')(a, s) && isAssigned(a, s)) || isManager(a, s),
    reject: (a, s) => (hasGridRole('reviewer')(a, s) && isAssigned(a, s)) || isManager(a, s),
    comment: readSubmission,
    read_audit: readSubmission,
    retry: hasGridRole('builder', 'manager'),
  },
  follow_up: {
    read: isMember,
    create: hasGridRole('reviewer', 'builder', 'manager'),
    resolve: (a, s) =>
      s.type === 'follow_up' && s.gridRole !== null && (s.assignee || s.creator || s.gridRole === 'manager'),
  },
  webhook: {
    list: () => true,
    read: isManager,
    create: isManager,
    edit: isManager,
    delete: isManager,
  },
  audit_log: {},
};

/** Separation of duties, for everyone, admins included: nobody reviews their own submission. */
const REVIEW_ACTIONS = new Set<Action>(['claim', 'approve', 'reject']);

export function can(actor: Actor | null, action: Action, subject: Subject): boolean {
  if (!actor) return false;
  if (subject.type === 'submission' && subject.own && REVIEW_ACTIONS.has(action)) return false;
  if (actor.role === 'admin') return true;
  const rule = RULES[subject.type][action];
  return rule ? rule(actor, subject) : false;
}

/** Throws the right error when the actor may not: 401 without an actor, 403 otherwise. */
export function assertCan(
  actor: Actor | null,
  action: Action,
  subject: Subject,
  message?: string,
): asserts actor is Actor {
  if (!actor) throw new UnauthenticatedError();
  if (!can(actor, action, subject)) throw new ForbiddenError(message);
}

/** Which rows of a grid-scoped list an actor sees: all of them, or those of the grids they belong to. */
export type ListScope = { kind: 'all' } | { kind: 'member_of_grids'; userId: string } | { kind: 'none' };

export function listScope(actor: Actor | null, type: SubjectType): ListScope {
  if (!actor) return { kind: 'none' };
  if (actor.role === 'admin') return { kind: 'all' };
  if (type !== 'user' && type !== 'audit_log') return { kind: 'member_of_grids', userId: actor.id };
  return { kind: 'none' };
}

/**
 * The grids in which an actor may do an action, asked of `can` once per grid role they hold:
 * 'all' when the action needs no role in the grid (admins), else the ids of their grids that allow
 * it. Lists and dashboards scope their SQL with it, so a query never re-derives a rule.
 */
export function gridsAllowing(
  actor: Actor | null,
  memberships: Record<string, GridRole>,
  action: Action,
  subjectFor: (gridRole: GridRole | null) => Subject,
): 'all' | string[] {
  if (!actor) return [];
  if (actor.role === 'admin' && can(actor, action, subjectFor(null))) return 'all';
  return Object.entries(memberships)
    .filter(([, role]) => can(actor, action, subjectFor(role)))
    .map(([gridId]) => gridId);
}
