import { Type, type Static } from '@sinclair/typebox';
import { Slug } from '../grids/grids.schema.js';

export const ReviewMode = Type.Union([Type.Literal('submission'), Type.Literal('section')], {
  description: 'review the whole submission at once, or each section on its own',
});

export const CreateTemplateInput = Type.Object({
  slug: Slug,
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 2000, default: '' }),
  reviewMode: Type.Optional(ReviewMode),
  /** The working definition to start from; a template starts with one empty section otherwise. */
  definition: Type.Optional(Type.Unknown()),
});
export type CreateTemplateInput = Static<typeof CreateTemplateInput>;

export const PublishInput = Type.Object({
  /** The version the caller's plan was made against: publish refuses if another publish came first. */
  expectedVersion: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
});
export type PublishInput = Static<typeof PublishInput>;

export const TemplateStatus = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]);

export const PatchTemplateInput = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    reviewMode: Type.Optional(ReviewMode),
  },
  { minProperties: 1 },
);
