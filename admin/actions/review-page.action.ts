import type { ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import type { ServiceContext } from '../../src/context.js';
import { AppError } from '../../src/errors/app-error.js';
import { can } from '../../src/permissions/policy.js';
import { localize, pickLanguage } from '../../src/rules/language.js';
import { payloadViewOf } from '../../src/submissions/payload-view.js';
import { interfaceTextIn } from '../../src/rules/interface-text.js';
import { findSubmission } from '../../src/submissions/submissions.repository.js';
import { actorOf, gridRoleFor, serviceContextOf } from '../admin-user.js';
import { Components } from '../component-loader.js';
import type { AdminDeps } from '../resources/types.js';

/** What the review page may offer the current user for this submission (the services check again). */
function permissionsFor(
  context: ActionContext,
  row: { submitted_by: string; reviewer_id: string | null; grid_id: string },
) {
  const actor = actorOf(context.currentAdmin);
  const base = {
    type: 'submission' as const,
    gridRole: gridRoleFor(context.currentAdmin, row.grid_id),
    own: row.submitted_by === actor?.id,
  };
  const assigned = { ...base, assigned: row.reviewer_id === actor?.id };
  return {
    canClaim: can(actor, 'claim', base),
    canApprove: can(actor, 'approve', assigned),
    canReject: can(actor, 'reject', assigned),
    canReopen: can(actor, 'reopen', base),
    canSubmit: can(actor, 'submit', base),
    canEdit: can(actor, 'edit', base),
    canComment: can(actor, 'comment', base),
    canFollowUp: can(actor, 'create', { type: 'follow_up', gridRole: base.gridRole, assignee: false, creator: true }),
  };
}

/**
 * The context of an action, with the language the page reads (`lang`, sent by its language
 * switch): a form in several languages answers in it (messages, labels), its default otherwise.
 */
function contextWithLanguage(request: ActionRequest, context: ActionContext): ServiceContext {
  const given =
    (request.payload as Record<string, unknown> | undefined)?.lang ??
    (request.query as Record<string, unknown> | undefined)?.lang;
  const ctx = serviceContextOf(context.currentAdmin);
  return typeof given === 'string' && given.length <= 35 ? { ...ctx, languages: [given] } : ctx;
}

/** Everything the review page shows, in one answer. */
async function reviewData(deps: AdminDeps, ctx: ServiceContext, context: ActionContext, id: string) {
  const row = (await findSubmission(deps.pool, id))!;
  const version = await deps.catalog.version(row.template_id, row.template_version);
  const language = pickLanguage(version.definition, ...(ctx.languages ?? []));
  const [view, sections, comments, followUps, history, members, mode] = await Promise.all([
    payloadViewOf(deps.catalog, row, language),
    deps.services.review.sections(ctx, id),
    deps.services.followUps.comments(ctx, id),
    deps.services.followUps.followUps(ctx, id),
    deps.services.review.history(ctx, id),
    deps.pool.query<{ id: string; name: string; role: string }>(
      `SELECT u.id, coalesce(nullif(u.name, ''), u.email) AS name, m.role FROM grid_members m JOIN users u ON u.id = m.user_id
        WHERE m.grid_id = $1 AND u.active ORDER BY 2`,
      [row.grid_id],
    ),
    deps.pool.query<{ review_mode: string; title: string }>('SELECT review_mode, title FROM templates WHERE id = $1', [
      row.template_id,
    ]),
  ]);
  const byId = new Map(localize(version.definition, language).sections.map((s) => [s.id, s]));
  const actor = actorOf(context.currentAdmin);
  const gridRole = gridRoleFor(context.currentAdmin, row.grid_id);
  const own = row.submitted_by === actor?.id;
  const files = await deps.services.files.list(ctx, id);
  return {
    submission: {
      id: row.id,
      reviewStatus: row.review_status,
      reviewerId: row.reviewer_id,
      reviewReason: row.review_reason,
      processingStatus: row.processing_status,
      processingError: row.processing_error,
      submittedBy: row.submitted_by,
      submittedAt: row.submitted_at?.toISOString() ?? null,
      reviewOverdue: row.review_overdue_at !== null,
      templateTitle: view.templateTitle || mode.rows[0]!.title,
    },
    languages: version.definition.languages ?? [],
    language: language ?? null,
    reviewMode: mode.rows[0]!.review_mode,
    view,
    sections: sections.map((s) => {
      const subject = { type: 'submission' as const, gridRole, own, assigned: s.reviewerId === actor?.id };
      return {
        ...s,
        key: byId.get(s.sectionId)?.key ?? s.sectionId,
        label: byId.get(s.sectionId)?.label ?? s.sectionId,
        canClaim: s.status === 'submitted' && can(actor, 'claim', subject),
        canApprove: s.status === 'in_review' && can(actor, 'approve', subject),
        canReject: s.status === 'in_review' && can(actor, 'reject', subject),
      };
    }),
    comments,
    followUps: followUps.map((f) => ({
      ...f,
      canResolve:
        !f.resolvedAt &&
        can(actor, 'resolve', {
          type: 'follow_up',
          gridRole,
          assignee: f.assigneeId === actor?.id,
          creator: f.createdBy === actor?.id,
        }),
    })),
    files,
    history: history.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
    members: members.rows,
    permissions: permissionsFor(context, row),
  };
}

/**
 * The review page of a submission (admin/components/review-page/): the answer by sections,
 * section statuses, files, comments, follow-ups and history side by side, and the review commands.
 * GET loads it; POST performs one operation (`op`) through the services and returns the page again.
 */
export function reviewPageAction(deps: AdminDeps) {
  const { review, followUps } = deps.services;
  return {
    actionType: 'record' as const,
    icon: 'CheckSquare',
    component: Components.ReviewPage,
    // The page has its own commands, kept current; the record header's buttons would go stale.
    hideActionHeader: true,
    isAccessible: ({ record }: ActionContext) => Boolean(record),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const record = context.record!;
      const id = String(record.id());
      const ctx = contextWithLanguage(request, context);
      const respond = async (notice?: ActionResponse['notice'], errors?: unknown) => ({
        record: record.toJSON(context.currentAdmin),
        ...(await reviewData(deps, ctx, context, id)),
        ...(notice ? { notice } : {}),
        ...(errors ? { errors } : {}),
      });
      if (request.method !== 'post') return respond();
      const p = (request.payload ?? {}) as Record<string, string | undefined>;
      const sectionId = p.sectionId || undefined;
      try {
        let message: string;
        switch (p.op) {
          case 'claim':
            await review.claim(ctx, id, { sectionId });
            message = sectionId ? 'Section claimed' : 'Claimed: you are its reviewer';
            break;
          case 'approve':
            await review.approve(ctx, id, { sectionId });
            message = sectionId ? 'Section approved' : 'Approved';
            break;
          case 'reject':
            await review.reject(ctx, id, { sectionId, reason: p.reason });
            message = sectionId ? 'Section rejected' : 'Rejected';
            break;
          // The whole submission whatever its review mode (every open section): the page's shortcuts.
          case 'approveWhole':
            await review.approveWhole(ctx, id);
            message = 'Approved';
            break;
          case 'rejectWhole':
            await review.rejectWhole(ctx, id, { reason: p.reason });
            message = 'Rejected';
            break;
          case 'reopen':
            await review.reopen(ctx, id, { reason: p.reason });
            message = 'Reopened';
            break;
          case 'submit':
            await review.submit(ctx, id);
            message = 'Submitted for review';
            break;
          case 'comment':
            await followUps.addComment(ctx, id, { body: p.body ?? '' });
            message = 'Comment added';
            break;
          case 'followUp':
            await followUps.create(ctx, id, {
              title: p.title ?? '',
              details: p.details ?? '',
              assigneeId: p.assigneeId || null,
              dueOn: p.dueOn || null,
            });
            message = 'Follow-up created';
            break;
          case 'resolve':
            await followUps.resolve(ctx, p.followUpId ?? '', { resolution: p.resolution ?? '' });
            message = 'Follow-up resolved';
            break;
          default:
            return respond({ message: `Unknown operation "${p.op}"`, type: 'error' });
        }
        return respond({ message, type: 'success' });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return respond({ message: error.message, type: 'error' }, error.details);
      }
    },
  };
}

/**
 * The answer page (admin/components/form-fill/): a submitter fills a new submission for a
 * template, or edits their draft or rejected submission, then saves it (as a draft) or submits it.
 */
export function answerAction(deps: AdminDeps) {
  const { submissions, review } = deps.services;
  return {
    actionType: 'record' as const,
    icon: 'Edit',
    component: Components.FormFill,
    hideActionHeader: true,
    isAccessible: (context: ActionContext) => {
      const row = context.record?.params;
      if (!row) return false;
      const actor = actorOf(context.currentAdmin);
      return can(actor, 'edit', {
        type: 'submission',
        gridRole: gridRoleFor(context.currentAdmin, row.grid_id),
        own: String(row.submitted_by) === actor?.id,
      });
    },
    isVisible: (context: ActionContext) => ['draft', 'rejected'].includes(String(context.record?.params.review_status)),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const record = context.record!;
      const id = String(record.id());
      const ctx = contextWithLanguage(request, context);
      const load = async () => {
        const row = (await findSubmission(deps.pool, id))!;
        const template = await deps.pool.query<{ current_version: number; title: string; review_mode: string }>(
          'SELECT current_version, title, review_mode FROM templates WHERE id = $1',
          [row.template_id],
        );
        const version = await deps.catalog.version(row.template_id, template.rows[0]!.current_version);
        const locked =
          row.review_status === 'rejected' && template.rows[0]!.review_mode === 'section'
            ? (await review.sections(ctx, id)).filter((s) => s.status !== 'rejected').map((s) => s.sectionId)
            : [];
        return {
          record: record.toJSON(context.currentAdmin),
          mode: 'edit',
          templateTitle: template.rows[0]!.title,
          definition: version.definition,
          data: row.payload,
          reviewStatus: row.review_status,
          reviewReason: row.review_reason,
          lockedSections: locked,
        };
      };
      if (request.method !== 'post') return load();
      const p = (request.payload ?? {}) as Record<string, string | undefined>;
      try {
        const data: unknown = JSON.parse(p.data ?? '{}');
        await submissions.update(ctx, id, { data });
        if (p.submit === 'true') await review.submit(ctx, id);
        const page = await load();
        // The notice in the page's language (the one its switch picked, when the form declares it).
        const t = interfaceTextIn(pickLanguage(page.definition, ...(ctx.languages ?? [])));
        return { ...page, notice: { message: p.submit === 'true' ? t.savedAndSubmitted : t.saved, type: 'success' } };
      } catch (error) {
        if (error instanceof SyntaxError)
          return { ...(await load()), notice: { message: 'The answer is not valid JSON', type: 'error' } };
        if (!(error instanceof AppError)) throw error;
        return { ...(await load()), errors: error.details, notice: { message: error.message, type: 'error' } };
      }
    },
  };
}

/** The same page for a new submission: a resource-less record action on templates. */
export function fillTemplateAction(deps: AdminDeps) {
  const { submissions } = deps.services;
  return {
    actionType: 'record' as const,
    icon: 'FilePlus',
    component: Components.FormFill,
    isAccessible: (context: ActionContext) => {
      const row = context.record?.params as Record<string, unknown> | undefined;
      if (!row || row.current_version == null) return false;
      return can(actorOf(context.currentAdmin), 'create', {
        type: 'submission',
        gridRole: gridRoleFor(context.currentAdmin, row.grid_id),
        own: true,
      });
    },
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const record = context.record!;
      const templateId = String(record.id());
      const ctx = contextWithLanguage(request, context);
      const version = await deps.catalog.version(templateId, Number(record.params.current_version));
      const base = {
        record: record.toJSON(context.currentAdmin),
        mode: 'create',
        templateTitle: String(record.params.title),
        definition: version.definition,
        data: {},
        lockedSections: [],
      };
      if (request.method !== 'post') return base;
      const p = (request.payload ?? {}) as Record<string, string | undefined>;
      try {
        const data: unknown = JSON.parse(p.data ?? '{}');
        const result = await submissions.create(ctx, templateId, { data, draft: p.submit !== 'true' });
        const t = interfaceTextIn(pickLanguage(version.definition, ...(ctx.languages ?? [])));
        const number = String(result.submission.id);
        return {
          ...base,
          data,
          created: result.submission,
          notice: {
            message: p.submit === 'true' ? t.submittedNumber(number) : t.draftSaved(number),
            type: 'success',
          },
          redirectUrl: `/admin/resources/submissions/records/${result.submission.id}/show`,
        };
      } catch (error) {
        if (error instanceof SyntaxError)
          return { ...base, notice: { message: 'The answer is not valid JSON', type: 'error' } };
        if (!(error instanceof AppError)) throw error;
        return {
          ...base,
          data: JSON.parse(p.data ?? '{}') as unknown,
          errors: error.details,
          notice: { message: error.message, type: 'error' },
        };
      }
    },
  };
}
