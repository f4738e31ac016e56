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

/** What to do with the existing values a type change cannot convert (src/templates/plan.ts). */
export const ConversionChoice = Type.Object(
  {
    onFailure: Type.Optional(
      Type.Union([Type.Literal('refuse'), Type.Literal('null'), Type.Literal('quarantine')], {
        description: 'refuse the publish (default), set them to null, or keep them as text in a quarantine column',
      }),
    ),
    map: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 1000 }),
        Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean(), Type.Null()]),
        {
          maxProperties: 1000,
          description: 'values replaced before converting, compared after trimming spaces: {"N/A": null, "twelve": 12}',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Conversion choices by field path (`household.code`). */
export const Conversions = Type.Record(Type.String({ maxLength: 300 }), ConversionChoice, { maxProperties: 1000 });

export const PlanInput = Type.Object({ conversions: Type.Optional(Conversions) }, { additionalProperties: false });
export type PlanInput = Static<typeof PlanInput>;

export const PublishInput = Type.Object({
  /** The version the caller's plan was made against: publish refuses if another publish came first. */
  expectedVersion: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  conversions: Type.Optional(Conversions),
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
