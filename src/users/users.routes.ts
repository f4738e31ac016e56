import { Type } from '@sinclair/typebox';
import { route, type RouteSpec } from '../http/routes.js';
import type { UsersService } from './users.service.js';
import { CreateUserInput, PatchUserInput, PublicUser } from './users.schema.js';

export const Cursor = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  after: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'return items with ids after this one' })),
});

export function usersRoutes(services: { users: UsersService }): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/users',
      tag: 'users',
      summary: 'Users (admins only), by id, cursor-paginated',
      query: Cursor,
      response: Type.Array(PublicUser),
      handler: ({ ctx, query }) => services.users.list(ctx, { limit: query.limit, afterId: query.after }),
    }),
    route({
      method: 'post',
      path: '/users',
      tag: 'users',
      summary: 'Create a user (admins only)',
      body: CreateUserInput,
      bodyCheckedBy: 'service',
      response: PublicUser,
      status: 201,
      handler: ({ ctx, body }) => services.users.create(ctx, body),
    }),
    route({
      method: 'patch',
      path: '/users/:userId',
      tag: 'users',
      summary: 'Change a user (admins only); disabling one ends their sessions and tokens',
      body: PatchUserInput,
      bodyCheckedBy: 'service',
      response: PublicUser,
      handler: ({ ctx, params, body }) => services.users.update(ctx, params.userId!, body),
    }),
  ];
}
