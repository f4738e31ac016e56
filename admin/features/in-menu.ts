import type { Action, ActionResponse } from 'adminjs';

/**
 * Puts an action in a drop-down of the record header (AdminJS groups actions by `parent`), so a
 * resource with many actions keeps its header on one row.
 */
export function inMenu(menu: string, action: Partial<Action<ActionResponse>>): Partial<Action<ActionResponse>> {
  return { ...action, parent: menu };
}
