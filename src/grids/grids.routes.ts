import { Type } from '@sinclair/typebox';
import { route, type RouteSpec } from '../http/routes.js';
import type { GridsService } from './grids.service.js';
import { Cursor } from '../users/users.routes.js';
import {
  AddMemberInput,
  ChangeMemberRoleInput,
  CreateGridInput,
  GridView,
  MemberView,
  PatchGridInput,
} from './grids.schema.js';

export function gridsRoutes(services: { grids: GridsService }): RouteSpec[] {
  const { grids } = services;
  return [
    route({
      method: 'get',
      path: '/grids',
      tag: 'grids',
      summary: 'Grids the caller may see',
      query: Type.Intersect([Cursor, Type.Object({ includeDeleted: Type.Optional(Type.Boolean({ default: false })) })]),
      response: Type.Array(GridView),
      handler: ({ ctx, query }) =>
        grids.list(ctx, { limit: query.limit, afterId: query.after, includeDeleted: query.includeDeleted }),
    }),
    route({
      method: 'post',
      path: '/grids',
      tag: 'grids',
      summary: 'Create a grid (builders and admins); the caller becomes its manager',
      body: CreateGridInput,
      bodyCheckedBy: 'service',
      response: GridView,
      status: 201,
      handler: ({ ctx, body }) => grids.create(ctx, body),
    }),
    route({
      method: 'get',
      path: '/grids/:gridId',
      tag: 'grids',
      summary: 'One grid',
      response: GridView,
      handler: ({ ctx, params }) => grids.get(ctx, params.gridId!),
    }),
    route({
      method: 'patch',
      path: '/grids/:gridId',
      tag: 'grids',
      summary: 'Change a grid (its managers)',
      body: PatchGridInput,
      bodyCheckedBy: 'service',
      response: GridView,
      handler: ({ ctx, params, body }) => grids.update(ctx, params.gridId!, body),
    }),
    route({
      method: 'delete',
      path: '/grids/:gridId',
      tag: 'grids',
      summary: 'Soft-delete a grid (restorable)',
      response: GridView,
      handler: ({ ctx, params }) => grids.softDelete(ctx, params.gridId!),
    }),
    route({
      method: 'post',
      path: '/grids/:gridId/restore',
      tag: 'grids',
      summary: 'Restore a soft-deleted grid',
      response: GridView,
      handler: ({ ctx, params }) => grids.restore(ctx, params.gridId!),
    }),
    route({
      method: 'get',
      path: '/grids/:gridId/members',
      tag: 'grids',
      summary: 'Members of a grid',
      response: Type.Array(MemberView),
      handler: ({ ctx, params }) => grids.listMembers(ctx, params.gridId!),
    }),
    route({
      method: 'post',
      path: '/grids/:gridId/members',
      tag: 'grids',
      summary: 'Add a member (grid managers and admins)',
      body: AddMemberInput,
      bodyCheckedBy: 'service',
      response: MemberView,
      status: 201,
      handler: ({ ctx, params, body }) => grids.addMember(ctx, params.gridId!, body),
    }),
    route({
      method: 'patch',
      path: '/grids/:gridId/members/:userId',
      tag: 'grids',
      summary: "Change a member's role",
      body: ChangeMemberRoleInput,
      bodyCheckedBy: 'service',
      response: MemberView,
      handler: ({ ctx, params, body }) => grids.changeMemberRole(ctx, params.gridId!, params.userId!, body),
    }),
    route({
      method: 'delete',
      path: '/grids/:gridId/members/:userId',
      tag: 'grids',
      summary: 'Remove a member',
      handler: async ({ ctx, params }) => {
        await grids.removeMember(ctx, params.gridId!, params.userId!);
        return { removed: true };
      },
    }),
  ];
}
