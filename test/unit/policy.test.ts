import { describe, expect, it } from 'vitest';
import type { Actor, GlobalRole, GridRole } from '../../src/context.js';
import { can, type Action } from '../../src/permissions/policy.js';

const actor = (role: GlobalRole, id = '7'): Actor => ({ id, email: `${role}@x.test`, role });

/** The written policy (docs/permissions.md), as a table: [global role, grid role, action, allowed]. */
const GRID_POLICY: [GlobalRole, GridRole | null, Action, boolean][] = [
  ['admin', null, 'read', true],
  ['admin', null, 'edit', true],
  ['admin', null, 'delete', true],
  ['builder', null, 'create', true],
  ['builder', null, 'read', false],
  ['builder', 'manager', 'edit', true],
  ['builder', 'manager', 'delete', true],
  ['builder', 'manager', 'restore', true],
  ['builder', 'builder', 'edit', false],
  ['reviewer', null, 'create', false],
  ['reviewer', 'reviewer', 'read', true],
  ['reviewer', 'reviewer', 'edit', false],
  ['reviewer', 'reviewer', 'delete', false],
  ['submitter', 'submitter', 'read', true],
  ['submitter', 'submitter', 'create', false],
  ['submitter', 'manager', 'edit', true],
  ['submitter', null, 'read', false],
];

describe('permission policy', () => {
  it.each(GRID_POLICY)('%s with grid role %s: %s grid -> %s', (role, gridRole, action, allowed) => {
    expect(can(actor(role), action, { type: 'grid', gridRole })).toBe(allowed);
  });

  it('denies anonymous callers everything', () => {
    for (const action of ['list', 'read', 'create', 'edit', 'delete', 'restore'] as Action[]) {
      expect(can(null, action, { type: 'grid', gridRole: 'manager' })).toBe(false);
      expect(can(null, action, { type: 'user' })).toBe(false);
    }
  });

  it('lets users read only themselves; only admins manage users and read the audit log', () => {
    expect(can(actor('reviewer', '7'), 'read', { type: 'user', id: '7' })).toBe(true);
    expect(can(actor('reviewer', '7'), 'read', { type: 'user', id: '8' })).toBe(false);
    expect(can(actor('builder'), 'edit', { type: 'user', id: '7' })).toBe(false);
    expect(can(actor('admin'), 'create', { type: 'user' })).toBe(true);
    expect(can(actor('builder'), 'list', { type: 'audit_log' })).toBe(false);
    expect(can(actor('admin'), 'list', { type: 'audit_log' })).toBe(true);
  });

  it('lets only grid managers manage members', () => {
    expect(can(actor('reviewer'), 'create', { type: 'grid_member', gridRole: 'manager' })).toBe(true);
    expect(can(actor('builder'), 'create', { type: 'grid_member', gridRole: 'builder' })).toBe(false);
    expect(can(actor('builder'), 'read', { type: 'grid_member', gridRole: 'submitter' })).toBe(true);
  });
});
