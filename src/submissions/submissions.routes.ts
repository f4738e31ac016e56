import { Type } from '@sinclair/typebox';
import { route, type RouteSpec } from '../http/routes.js';
import type { SubmissionsService } from './submissions.service.js';
import type { SubmissionBatchService } from './batch.service.js';
import {
  AnswerKeysQuery,
  BATCH_MAX_ITEMS,
  BatchResult,
  CreateSubmissionBatchInput,
  CreateSubmissionInput,
  ListSubmissionsQuery,
  SubmissionPage,
  SubmissionView,
  UpdateSubmissionInput,
} from './submissions.schema.js';

/** The batch endpoint, below /api/v1: its body limit is its own (api.ts parses its body apart). */
export const SUBMISSION_BATCH_PATH = '/templates/:templateId/submissions/batch';
/** 500 answers of 300 fields are about 4 MB of JSON. */
export const SUBMISSION_BATCH_BODY_LIMIT = '8mb';

export function submissionsRoutes(services: {
  submissions: SubmissionsService;
  submissionBatches: SubmissionBatchService;
}): RouteSpec[] {
  const { submissions, submissionBatches } = services;
  return [
    route({
      method: 'post',
      path: '/templates/:templateId/submissions',
      tag: 'submissions',
      summary:
        'Submit a form (202: stored and queued for processing). `{"draft": true}` saves an incomplete draft. ' +
        'An Idempotency-Key header makes a retried request return the first result instead of a second submission.',
      body: CreateSubmissionInput,
      bodyCheckedBy: 'service',
      response: SubmissionView,
      errors: [
        {
          status: 422,
          description: 'VALIDATION_FAILED: the answer breaks a rule of the version; details name each field path',
        },
        {
          status: 409,
          description:
            'DUPLICATE_VALUE: a value of a `unique` field is already held by another submission of the template; details give each ' +
            "field's path and label, and the other submission's id when the caller may read it. (CONFLICT: the Idempotency-Key was used for another request.)",
        },
      ],
      raw: true,
      handler: async ({ ctx, params, body, req, res }) => {
        const result = await submissions.create(ctx, params.templateId!, body, {
          idempotencyKey: req.get('idempotency-key') ?? undefined,
        });
        if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
        res
          .status(result.submission.reviewStatus === 'draft' ? 201 : 202)
          .json({ success: true, data: result.submission });
      },
    }),
    route({
      method: 'post',
      path: SUBMISSION_BATCH_PATH,
      tag: 'submissions',
      summary:
        `Submit up to ${BATCH_MAX_ITEMS} answers at once (devices that sync, imports). Each answer has its own idempotencyKey and is judged ` +
        'on its own, as POST .../submissions judges one: the valid ones are stored (one transaction) and queued, the others reported ' +
        'by index with their error (VALIDATION_FAILED, DUPLICATE_VALUE, CONFLICT); never all or nothing. Sending a batch again ' +
        'replays the answers it stored (`replayed`) and stores nothing twice. Bodies up to ' +
        SUBMISSION_BATCH_BODY_LIMIT +
        '.',
      body: CreateSubmissionBatchInput,
      bodyCheckedBy: 'service',
      response: BatchResult,
      errors: [
        { status: 413, description: `PAYLOAD_TOO_LARGE: the body is over ${SUBMISSION_BATCH_BODY_LIMIT}` },
        {
          status: 422,
          description: `VALIDATION_FAILED: \`items\` is not a list of 1 to ${BATCH_MAX_ITEMS} answers (problems of one answer are reported in its item)`,
        },
      ],
      handler: ({ ctx, params, body }) => submissionBatches.create(ctx, params.templateId!, body),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/submissions',
      tag: 'submissions',
      summary: 'Submissions of a template, newest first: filter by statuses and dates; cursor pagination',
      query: ListSubmissionsQuery,
      queryCheckedBy: 'service',
      response: SubmissionPage,
      handler: ({ ctx, params, query }) => submissions.list(ctx, params.templateId!, query),
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/rebuild',
      tag: 'submissions',
      summary: "Project all of a template's submissions again (after a publish)",
      handler: ({ ctx, params }) => submissions.rebuild(ctx, params.templateId!),
    }),
    route({
      method: 'get',
      path: '/submissions/:submissionId',
      tag: 'submissions',
      summary:
        "One submission: its data, statuses and processing error. The data is under the current version's keys " +
        '(a key renamed since keeps its value); `?as=submitted` returns it as it was sent',
      query: AnswerKeysQuery,
      response: SubmissionView,
      handler: ({ ctx, params, query }) => submissions.get(ctx, params.submissionId!, query.as),
    }),
    route({
      method: 'patch',
      path: '/submissions/:submissionId',
      tag: 'submissions',
      summary:
        'Edit a draft or a rejected submission (a rejected one re-checks its unique values: 409 DUPLICATE_VALUE)',
      body: UpdateSubmissionInput,
      bodyCheckedBy: 'service',
      response: SubmissionView,
      handler: ({ ctx, params, body }) => submissions.update(ctx, params.submissionId!, body),
    }),
    route({
      method: 'delete',
      path: '/submissions/:submissionId',
      tag: 'submissions',
      summary: 'Delete a draft',
      handler: async ({ ctx, params }) => {
        await submissions.remove(ctx, params.submissionId!);
        return { deleted: true };
      },
    }),
    route({
      method: 'post',
      path: '/submissions/retry',
      tag: 'submissions',
      summary: 'Queue failed submissions for processing again',
      body: Type.Object({
        ids: Type.Array(Type.String({ pattern: '^[0-9]{1,18}$' }), { minItems: 1, maxItems: 1000 }),
      }),
      handler: ({ ctx, body }) => submissions.retry(ctx, body.ids),
    }),
    route({
      method: 'post',
      path: '/submissions/:submissionId/retry',
      tag: 'submissions',
      summary: 'Queue one failed submission for processing again',
      handler: ({ ctx, params }) => submissions.retry(ctx, [params.submissionId!]),
    }),
  ];
}
