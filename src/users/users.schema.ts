import { Type, type Static } from '@sinclair/typebox';
import { GLOBAL_ROLES } from '../context.js';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from '../auth/password.js';

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const GlobalRoleSchema = Type.Union(GLOBAL_ROLES.map((r) => Type.Literal(r)));
const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_BYTES });

export const CreateUserInput = Type.Object({
  email: Email,
  name: Type.String({ maxLength: 200, default: '' }),
  role: GlobalRoleSchema,
  password: Password,
  active: Type.Boolean({ default: true }),
});
export type CreateUserInput = Static<typeof CreateUserInput>;

export const UpdateUserInput = Type.Object(
  {
    email: Email,
    name: Type.String({ maxLength: 200 }),
    role: GlobalRoleSchema,
    active: Type.Boolean(),
    password: Password,
  },
  { minProperties: 1 },
);
// Every field optional: a PATCH changes what it names.
export const PatchUserInput = Type.Partial(UpdateUserInput, { minProperties: 1 });
export type PatchUserInput = Static<typeof PatchUserInput>;

export const ChangeOwnPasswordInput = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_BYTES }),
  newPassword: Password,
});
export type ChangeOwnPasswordInput = Static<typeof ChangeOwnPasswordInput>;

/** What any response may carry about a user: never the hash, never lockout counters. */
export const PublicUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: GlobalRoleSchema,
  active: Type.Boolean(),
  lockedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type PublicUser = Static<typeof PublicUser>;
