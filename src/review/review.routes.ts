import { Type } from '@sinclair/typebox';
import { route, type RouteSpec } from '../http/routes.js';
import type { ReviewService } from './review.service.js';
import type { FollowUpsService } from './follow-ups.service.js';
import { SubmissionView } from '../submissions/submissions.schema.js';
import { CommentInput, FollowUpInput, ResolveInput } from './follow-ups.service.js';

const SectionId = Type.Optional(
  Type.String({ maxLength: 40, description: 'for templates reviewed per section: the section id' }),
);

export function reviewRoutes(services: { review: ReviewService; followUps: FollowUpsService }): RouteSpec[] {
  const { review, followUps } = services;
  const transition = (
    name: 'submit' | 'claim' | 'approve' | 'reject' | 'reopen',
    summary: string,
    body: ReturnType<typeof Type.Object>,
  ) =>
    route({
      method: 'post',
      path: `/submissions/:submissionId/${name}`,
      tag: 'review',
      summary,
      body,
      response: SubmissionView,
      handler: ({ ctx, params, body: input }) => {
        const id = params.submissionId!;
        const args = input as { reason?: string; sectionId?: string };
        switch (name) {
          case 'submit':
            return review.submit(ctx, id);
          case 'claim':
            return review.claim(ctx, id, args);
          case 'approve':
            return review.approve(ctx, id, args);
          case 'reject':
            return review.reject(ctx, id, args);
          case 'reopen':
            return review.reopen(ctx, id, args);
        }
      },
    });
  return [
    transition(
      'submit',
      'Submit a draft (it reserves its unique values: 409 DUPLICATE_VALUE when another submission holds one), ' +
        'or send a rejected submission back after editing it',
      Type.Object({}),
    ),
    transition(
      'claim',
      'Take a submitted submission (or section) into review, as its reviewer',
      Type.Object({ sectionId: SectionId }),
    ),
    transition(
      'approve',
      'Approve a submission (or section) in review: its reviewer or a grid manager',
      Type.Object({ sectionId: SectionId }),
    ),
    transition(
      'reject',
      'Reject a submission (or section) in review, with a reason',
      Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }), sectionId: SectionId }),
    ),
    transition(
      'reopen',
      'Reopen an approved submission (admins), with a reason',
      Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }),
    ),
    route({
      method: 'get',
      path: '/submissions/:submissionId/history',
      tag: 'review',
      summary: "A submission's audit entries, newest first",
      handler: ({ ctx, params }) => review.history(ctx, params.submissionId!),
    }),
    route({
      method: 'get',
      path: '/submissions/:submissionId/sections',
      tag: 'review',
      summary: 'Review status of each section (templates reviewed per section)',
      handler: ({ ctx, params }) => review.sections(ctx, params.submissionId!),
    }),
    route({
      method: 'get',
      path: '/submissions/:submissionId/comments',
      tag: 'review',
      summary: 'Comments on a submission',
      handler: ({ ctx, params }) => followUps.comments(ctx, params.submissionId!),
    }),
    route({
      method: 'post',
      path: '/submissions/:submissionId/comments',
      tag: 'review',
      summary: 'Comment on a submission',
      body: CommentInput,
      bodyCheckedBy: 'service',
      status: 201,
      handler: ({ ctx, params, body }) => followUps.addComment(ctx, params.submissionId!, body),
    }),
    route({
      method: 'get',
      path: '/submissions/:submissionId/follow-ups',
      tag: 'review',
      summary: 'Follow-up tasks of a submission',
      handler: ({ ctx, params }) => followUps.followUps(ctx, params.submissionId!),
    }),
    route({
      method: 'post',
      path: '/submissions/:submissionId/follow-ups',
      tag: 'review',
      summary: 'Create a follow-up task (assignee, due date)',
      body: FollowUpInput,
      bodyCheckedBy: 'service',
      status: 201,
      handler: ({ ctx, params, body }) => followUps.create(ctx, params.submissionId!, body),
    }),
    route({
      method: 'post',
      path: '/follow-ups/:followUpId/resolve',
      tag: 'review',
      summary: 'Resolve a follow-up task',
      body: ResolveInput,
      bodyCheckedBy: 'service',
      handler: ({ ctx, params, body }) => followUps.resolve(ctx, params.followUpId!, body),
    }),
    route({
      method: 'get',
      path: '/me/follow-ups',
      tag: 'review',
      summary: 'Open follow-ups assigned to me, overdue first',
      handler: ({ ctx }) => followUps.mine(ctx),
    }),
  ];
}
