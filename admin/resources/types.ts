import type { ResourceMetadata } from '@adminjs/sql';
import type { ActionContext, ResourceWithOptions } from 'adminjs';
import type { Pool } from '../../src/db/pool.js';
import type { Services } from '../../src/services.js';
import type { TemplateCatalog } from '../../src/templates/catalog.js';
import type { Queues } from '../../src/jobs/queues.js';

/** What admin resources may use: the services (for writes and actions) and the pool (for reads). */
export interface AdminDeps {
  pool: Pool;
  catalog: TemplateCatalog;
  queues: Queues;
  /** The composition root's services that admin resources call (their types from one place). */
  services: Pick<Services, 'users' | 'grids' | 'auth' | 'templates' | 'publisher' | 'submissions' | 'review' | 'reviewQueue' | 'followUps' | 'files' | 'exports' | 'webhooks' | 'savedViews'>;

  /** Exports with more rows than this run in the background. */
  exportThreshold: number;
}

/**
 * One admin resource over one table, defined in one file (`<name>.resource.ts`). The admin
 * assembly introspects every table in one query and hands each definition its metadata, with the
 * hidden columns already removed: they are never selected, so no response can carry them.
 */
export interface TableResource {
  table: string;
  hiddenColumns?: string[];
  /** Allowed values of text columns constrained by CHECK (shown as selects, filtered by equality). */
  availableValues?: Record<string, string[]>;
  build(metadata: ResourceMetadata): ResourceWithOptions;
}

export const NAV = {
  access: { name: 'Access', icon: 'Users' },
  grids: { name: 'Grids', icon: 'Grid' },
  submissions: { name: 'Submissions', icon: 'Inbox' },
  integrations: { name: 'Integrations', icon: 'Share2' },
  audit: { name: 'Audit', icon: 'Shield' },
} as const;

/** An AdminJS param as a trimmed string, or undefined when empty. */
export function param(params: Record<string, unknown>, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

export function boolParam(params: Record<string, unknown>, key: string): boolean | undefined {
  const value = params[key];
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/** An action nobody may run, hidden from the panel. */
export const REFUSED = { isAccessible: false, isVisible: false } as const;

type Access = boolean | ((context: ActionContext) => boolean);

/** A read-only resource: list, show and search for those `access` lets in; no writes for anyone. */
export function readOnlyActions(access: Access) {
  const read = { isAccessible: access };
  return { list: read, show: read, search: read, new: REFUSED, edit: REFUSED, delete: REFUSED, bulkDelete: REFUSED };
}
