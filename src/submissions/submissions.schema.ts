import { Type, type Static } from '@sinclair/typebox';
import { STORABLE_DATETIME } from '../templates/field-types.js';
import { ANSWER_KEYS } from './payload-keys.js';

export const REVIEW_STATUSES = ['draft', 'submitted', 'in_review', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** 0 pending, 1 processed, 2 failed. */
export const PROCESSING_STATUS = { pending: 0, processed: 1, failed: 2 } as const;

export const CreateSubmissionInput = Type.Object({
  /** The answer, keyed by section key, then field key (see GET /templates/:id/schema). */
  data: Type.Record(Type.String(), Type.Unknown()),
  /** Save an incomplete draft: required fields are not checked, nothing is processed. */
  draft: Type.Optional(Type.Boolean({ default: false })),
});
export type CreateSubmissionInput = Static<typeof CreateSubmissionInput>;

export const UpdateSubmissionInput = Type.Object({
  data: Type.Record(Type.String(), Type.Unknown()),
});

const StatusList = (values: readonly string[]) =>
  Type.String({
    pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`,
    description: `comma-separated: ${values.join(', ')}`,
  });

/** Keys of the answers returned: the current version's (default) or those they were sent with. */
const AnswerKeysParam = Type.Union(
  ANSWER_KEYS.map((k) => Type.Literal(k)),
  { description: "`current` (default): answers under the current version's keys; `submitted`: as they were sent" },
);
export const AnswerKeysQuery = Type.Object({ as: Type.Optional(AnswerKeysParam) });

export const ListSubmissionsQuery = Type.Object({
  processingStatus: Type.Optional(StatusList(['0', '1', '2'])),
  reviewStatus: Type.Optional(StatusList(REVIEW_STATUSES)),
  createdAfter: Type.Optional(Type.String({ format: 'date-time', pattern: STORABLE_DATETIME })),
  createdBefore: Type.Optional(Type.String({ format: 'date-time', pattern: STORABLE_DATETIME })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
  as: Type.Optional(AnswerKeysParam),
});
export type ListSubmissionsQuery = Static<typeof ListSubmissionsQuery>;

export const SubmissionView = Type.Object({
  id: Type.String(),
  templateId: Type.String(),
  templateVersion: Type.Integer(),
  gridId: Type.String(),
  submittedBy: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  processingStatus: Type.Integer({ description: '0 pending, 1 processed, 2 failed' }),
  processingError: Type.Union([Type.String(), Type.Null()]),
  processedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reviewStatus: Type.Union(REVIEW_STATUSES.map((s) => Type.Literal(s))),
  reviewerId: Type.Union([Type.String(), Type.Null()]),
  reviewReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reviewedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reviewOverdue: Type.Boolean({ description: 'waiting in review longer than the configured time' }),
});
export type SubmissionView = Static<typeof SubmissionView>;

export const SubmissionPage = Type.Object({
  items: Type.Array(SubmissionView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** Answers per batch request (POST /templates/:id/submissions/batch). */
export const BATCH_MAX_ITEMS = 500;

/** One answer of a batch: its own idempotency key (required: a sync may be sent again), the answer, draft or not. */
export const BatchSubmissionItem = Type.Object({
  idempotencyKey: Type.String({
    pattern: '^[A-Za-z0-9._:-]{1,200}$',
    description: 'unique per answer; sending it again returns the first result',
  }),
  data: Type.Record(Type.String(), Type.Unknown()),
  draft: Type.Optional(Type.Boolean({ default: false })),
});
export type BatchSubmissionItem = Static<typeof BatchSubmissionItem>;

export const CreateSubmissionBatchInput = Type.Object({
  items: Type.Array(BatchSubmissionItem, { minItems: 1, maxItems: BATCH_MAX_ITEMS }),
});

const ItemError = Type.Object({
  code: Type.String({ examples: ['VALIDATION_FAILED', 'DUPLICATE_VALUE', 'CONFLICT'] }),
  message: Type.String(),
  details: Type.Array(Type.Object({ path: Type.String(), message: Type.String() }, { additionalProperties: true })),
});

export const BatchItemResult = Type.Object({
  /** Position of the answer in `items`, from 0. */
  index: Type.Integer(),
  idempotencyKey: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('created'), Type.Literal('replayed'), Type.Literal('refused')], {
    description:
      '`created`: stored now; `replayed`: stored by an earlier request with this key (nothing new); `refused`: not stored, see `error`',
  }),
  submissionId: Type.Optional(Type.String()),
  reviewStatus: Type.Optional(Type.Union(REVIEW_STATUSES.map((s) => Type.Literal(s)))),
  error: Type.Optional(ItemError),
});
export type BatchItemResult = Static<typeof BatchItemResult>;

export const BatchResult = Type.Object({
  created: Type.Integer(),
  replayed: Type.Integer(),
  refused: Type.Integer(),
  items: Type.Array(BatchItemResult),
});
export type BatchResult = Static<typeof BatchResult>;
