import type { ActionContext, ActionRequest, BaseRecord } from 'adminjs';
import type { ServiceContext } from '../../src/context.js';
import { ConflictError } from '../../src/errors/app-error.js';
import { REVIEW_STATUSES } from '../../src/submissions/submissions.schema.js';
import { payloadViewOf } from '../../src/submissions/payload-view.js';
import { GridbookResource } from '../adapter/gridbook-resource.js';
import { can, gridsAllowing, type Action } from '../../src/permissions/policy.js';
import { visibleScopeKnex } from '../../src/permissions/visible-scope.js';
import { actorOf, asAdminUser, gridRoleFor, serviceContextOf, visibleScopeOf, type AdminUser } from '../admin-user.js';
import { answerAction, reviewPageAction } from '../actions/review-page.action.js';
import { Components } from '../component-loader.js';
import { confirmAction, confirmBulkAction, type ConfirmActionOptions } from '../features/confirm-action.js';
import { historyFeature } from '../features/history.feature.js';
import { statusProperty } from '../features/status-property.js';
import { NAV, REFUSED, type AdminDeps, type TableResource } from './types.js';
import { submissionMatches } from '../../src/search/search.js';

/** The rows of the list: the permission module's scope of visible submissions. */
export const submissionScope = (user: AdminUser) => visibleScopeKnex(visibleScopeOf(user));

const isFailed = (ctx: ActionContext) => String(ctx.record?.params.processing_status) === '2';
const status = (ctx: ActionContext) => String(ctx.record?.params.review_status ?? '');

/** The permission module's answer for this record (the service checks again, with the state). */
const may = (ctx: ActionContext, action: Action) => {
  const actor = actorOf(ctx.currentAdmin);
  const row = ctx.record?.params;
  if (!row) return false;
  return can(actor, action, {
    type: 'submission',
    gridRole: gridRoleFor(ctx.currentAdmin, row.grid_id),
    own: String(row.submitted_by) === actor?.id,
    assigned: String(row.reviewer_id ?? '') === actor?.id,
  });
};
/**
 * Bulk buttons (no record at hand): for those who may do it to a submission in at least one of
 * their grids (the permission module's answer; the service checks each submission).
 */
const mayInSomeGrid = (action: Action) => (ctx: ActionContext) => {
  const user = asAdminUser(ctx.currentAdmin);
  const grids = gridsAllowing(actorOf(ctx.currentAdmin), user?.memberships ?? {}, action, (gridRole) => ({
    type: 'submission',
    gridRole,
    own: false,
    assigned: true,
  }));
  return grids === 'all' || grids.length > 0;
};
const mayReview = mayInSomeGrid('approve');
/** Retry: on a record, the permission module's answer for it; as a bulk action, in some grid. */
const mayRetry = (ctx: ActionContext) => (ctx.record ? may(ctx, 'retry') : mayInSomeGrid('retry')(ctx));

/**
 * A review command on one submission: shown to those the permission module allows it, in the
 * review status it needs; `run` performs it (with the reason typed, for those that ask one).
 */
const reviewAction = (
  command: Action,
  inStatus: (status: string) => boolean,
  options: Omit<ConfirmActionOptions, 'name' | 'isAccessible' | 'run'> & {
    run: (ctx: ServiceContext, id: string, reason: string) => Promise<unknown>;
    done: string;
  },
) => {
  const { run, done, ...rest } = options;
  return confirmAction({
    ...rest,
    name: command,
    isAccessible: (ctx) => may(ctx, command) && inStatus(status(ctx)),
    run: async (ctx, record, payload) => {
      await run(ctx, String(record.id()), String(payload.reason ?? ''));
      return done;
    },
  });
};

/** Submissions: filters by grid, template, statuses and dates; the answer by sections; retry. */
export function submissionsResource(deps: AdminDeps): TableResource {
  const { submissions, review } = deps.services;
  /** Retry, alone or in bulk: queued again, or refused with the service's reason. */
  const retryOne = async (ctx: ServiceContext, record: BaseRecord) => {
    const result = await submissions.retry(ctx, [String(record.id())]);
    if (result.refused.length) throw new ConflictError(result.refused[0]!.reason);
  };

  return {
    table: 'submissions',
    hiddenColumns: ['idempotency_hash', 'search_document'],
    availableValues: { review_status: [...REVIEW_STATUSES] },
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'submissions',
        scope: submissionScope,
        detailOnly: ['payload'],
        search: {
          hint: 'submitter email or name, or searchable answers',
          large: { columns: ['search_document'], document: 'search_document' },
          more: (term, db, narrowTo) => submissionMatches(db, term, 'submissions', narrowTo),
        },
      }),
      options: {
        navigation: NAV.submissions,
        sort: { sortBy: 'id', direction: 'desc' },
        listProperties: [
          'id',
          'template_id',
          'grid_id',
          'submitted_by',
          'processing_status',
          'review_status',
          'reviewer_id',
          'created_at',
          'review_overdue_at',
        ],
        filterProperties: [
          'grid_id',
          'template_id',
          'submitted_by',
          'processing_status',
          'review_status',
          'reviewer_id',
          'created_at',
          'processed_at',
          'review_overdue_at',
        ],
        showProperties: [
          'id',
          'template_id',
          'template_version',
          'grid_id',
          'submitted_by',
          'processing_status',
          'processing_error',
          'processing_attempts',
          'processed_at',
          'review_status',
          'reviewer_id',
          'review_reason',
          'created_at',
          'updated_at',
          'submitted_at',
          'reviewed_at',
          'review_overdue_at',
          'payload',
        ],
        properties: {
          processing_status: statusProperty('processing'),
          review_status: statusProperty('review'),
          payload: { components: { show: Components.SubmissionPayload } },
          processing_error: { type: 'textarea' },
          idempotency_key: { isVisible: { list: false, filter: false, show: true, edit: false } },
          edited_since_rejection: { isVisible: false },
        },
        actions: {
          new: REFUSED,
          edit: REFUSED,
          delete: REFUSED,
          bulkDelete: REFUSED,
          payload: {
            actionType: 'record',
            isVisible: false,
            isAccessible: ({ record }: ActionContext) => Boolean(record),
            handler: async (_request: ActionRequest, _response: unknown, context: ActionContext) => {
              const record = context.record!;
              const view = await payloadViewOf(deps.catalog, {
                template_id: String(record.params.template_id),
                template_version: Number(record.params.template_version),
                payload:
                  (
                    await deps.pool.query<{ payload: Record<string, unknown> }>(
                      'SELECT payload FROM submissions WHERE id = $1',
                      [record.id()],
                    )
                  ).rows[0]?.payload ?? {},
              });
              // Its files' names, types and sizes (one query; the files service checks the same permission as a download).
              const files = (await deps.services.files.list(serviceContextOf(context.currentAdmin), record.id())).map(
                (f) => ({ id: f.id, name: f.name, size: f.size, type: f.type, field: f.field }),
              );
              return { record: record.toJSON(context.currentAdmin), view, files };
            },
          },
          review: reviewPageAction(deps),
          answer: answerAction(deps),
          claim: reviewAction('claim', (s) => s === 'submitted', {
            icon: 'UserCheck',
            confirm: 'Take this submission into review? You become its reviewer.',
            run: (ctx, id) => review.claim(ctx, id),
            done: 'Claimed: you are its reviewer',
          }),
          approve: reviewAction('approve', (s) => s === 'in_review', {
            icon: 'Check',
            variant: 'success',
            confirm: 'Approve this submission? Approved is final (only an admin can reopen it).',
            run: (ctx, id) => review.approve(ctx, id),
            done: 'Approved',
          }),
          reject: reviewAction('reject', (s) => s === 'in_review', {
            icon: 'X',
            variant: 'danger',
            confirm: 'Reject this submission? The submitter sees your reason, edits and sends it back.',
            input: { name: 'reason', label: 'Reason (the submitter sees it)', required: true },
            run: (ctx, id, reason) => review.reject(ctx, id, { reason }),
            done: 'Rejected',
          }),
          reopen: reviewAction('reopen', (s) => s === 'approved', {
            icon: 'RotateCcw',
            confirm: 'Reopen this approved submission for review? Say why: the reason is kept in its history.',
            input: { name: 'reason', label: 'Reason', required: true },
            run: (ctx, id, reason) => review.reopen(ctx, id, { reason }),
            done: 'Reopened',
          }),
          submit: reviewAction('submit', (s) => ['draft', 'rejected'].includes(s), {
            icon: 'Send',
            confirm: 'Send this submission for review?',
            run: (ctx, id) => review.submit(ctx, id),
            done: 'Submitted for review',
          }),
          deleteDraft: confirmAction({
            name: 'deleteDraft',
            icon: 'Trash2',
            variant: 'danger',
            confirm:
              'Delete this draft for good? Only drafts can be deleted; the deletion is recorded in the audit log.',
            isAccessible: (ctx) => may(ctx, 'delete') && status(ctx) === 'draft',
            after: 'list',
            run: async (ctx, record) => {
              await deps.services.submissions.remove(ctx, String(record.id()));
              return 'Draft deleted';
            },
          }),
          approveBulk: confirmBulkAction({
            name: 'approveBulk',
            icon: 'Check',
            variant: 'success',
            confirm:
              'Approve every selected submission that you may approve (each in review, by you or as a grid manager)? ' +
              'For a form reviewed section by section, this approves every section still open (all of them claimed).',
            isAccessible: mayReview,
            runOne: async (ctx, record) => {
              await review.approveWhole(ctx, String(record.id()));
              return 'approved';
            },
          }),
          rejectBulk: confirmBulkAction({
            name: 'rejectBulk',
            icon: 'X',
            variant: 'danger',
            confirm:
              'Reject every selected submission that you may reject, with this reason? ' +
              'For a form reviewed section by section, this rejects every section still open (all of them claimed).',
            input: { name: 'reason', label: 'Reason (the submitters see it)', required: true },
            isAccessible: mayReview,
            runOne: async (ctx, record, payload) => {
              await review.rejectWhole(ctx, String(record.id()), { reason: String(payload.reason ?? '') });
              return 'rejected';
            },
          }),
          retry: confirmAction({
            name: 'retry',
            icon: 'RefreshCw',
            confirm: 'Queue this submission for processing again (after its data or its template was fixed)?',
            isAccessible: (ctx) => mayRetry(ctx) && isFailed(ctx),
            run: async (ctx, record) => {
              await retryOne(ctx, record);
              return 'Queued for processing';
            },
          }),
          retryBulk: confirmBulkAction({
            name: 'retryBulk',
            icon: 'RefreshCw',
            confirm: 'Queue the selected failed submissions for processing again?',
            isAccessible: mayRetry,
            runOne: async (ctx, record) => {
              await retryOne(ctx, record);
              return 'queued';
            },
          }),
        },
      },
      features: [historyFeature(deps.pool, 'submission')],
    }),
  };
}
