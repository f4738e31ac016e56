/**
 * Who is acting and from where: the explicit context every service call receives (Directus calls
 * it accountability). Built at the edge (HTTP request, admin action, job) and passed down.
 */

export const GLOBAL_ROLES = ['admin', 'builder', 'reviewer', 'submitter'] as const;
export type GlobalRole = (typeof GLOBAL_ROLES)[number];

export const GRID_ROLES = ['manager', 'builder', 'reviewer', 'submitter'] as const;
export type GridRole = (typeof GRID_ROLES)[number];

export interface Actor {
  id: string;
  email: string;
  role: GlobalRole;
}

export interface ServiceContext {
  /** null for the system itself (start-up tasks, jobs) and for anonymous requests. */
  actor: Actor | null;
  requestId: string | null;
  ip: string | null;
  /**
   * The languages the caller reads, most wanted first (`?lang=`, then the Accept-Language header):
   * a form in several languages answers in the first it has (src/rules/language.ts pickLanguage).
   */
  languages?: readonly string[];
}

export const SYSTEM_CONTEXT: ServiceContext = Object.freeze({ actor: null, requestId: null, ip: null });

export function systemContext(requestId: string | null = null): ServiceContext {
  return { actor: null, requestId, ip: null };
}
