import { Type, type Static } from '@sinclair/typebox';
import { GRID_ROLES } from '../context.js';

export const Slug = Type.String({
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  minLength: 1,
  maxLength: 63,
  description: 'lowercase letters, digits and single hyphens',
});

export const CreateGridInput = Type.Object({
  slug: Slug,
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 2000, default: '' }),
});
export type CreateGridInput = Static<typeof CreateGridInput>;

export const PatchGridInput = Type.Partial(CreateGridInput, { minProperties: 1 });
export type PatchGridInput = Static<typeof PatchGridInput>;

export const GridRoleSchema = Type.Union(GRID_ROLES.map((r) => Type.Literal(r)));

export const AddMemberInput = Type.Object({
  userId: Type.String({ pattern: '^[0-9]{1,18}$' }),
  role: GridRoleSchema,
});
export type AddMemberInput = Static<typeof AddMemberInput>;

export const ChangeMemberRoleInput = Type.Object({ role: GridRoleSchema });

export const GridView = Type.Object({
  id: Type.String(),
  owner: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
  createdOn: Type.String({ format: 'date-time' }),
  modifiedOn: Type.String({ format: 'date-time' }),
  deletedOn: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  isDeleted: Type.Boolean(),
});
export type GridView = Static<typeof GridView>;

export const MemberView = Type.Object({
  id: Type.String(),
  gridId: Type.String(),
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: GridRoleSchema,
  createdAt: Type.String({ format: 'date-time' }),
});
export type MemberView = Static<typeof MemberView>;
