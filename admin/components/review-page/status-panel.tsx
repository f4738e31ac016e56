import React from 'react';
import { ReviewCommands, SubmissionCommands } from './commands';
import { processingDisplay } from '../../../src/review/status-display';
import { formatDateTime, memberName } from './format';
import { StatusPill } from './status-pill';
import type { ReviewData, RunOp } from './types';

/**
 * The submission's state at a glance (review status, reviewer, processing, overdue flag, the last
 * reason) and the commands on the whole submission.
 */
export const StatusPanel: React.FC<{ data: ReviewData; busy: boolean; run: RunOp; editLink: React.ReactNode }> = ({
  data,
  busy,
  run,
  editLink,
}) => {
  const { submission: s, permissions, reviewMode, sections, members } = data;
  const processing = processingDisplay(s.processingStatus, s.reviewStatus);
  const approved = sections.filter((x) => x.status === 'approved').length;
  // Reasons stored before they were written with section labels carry the section id: show the label.
  const reason = sections.reduce(
    (text, x) => text.split(`${x.sectionId}: `).join(`${x.label}: `),
    s.reviewReason ?? '',
  );
  return (
    <div className="gbr-card" data-testid="review-status-card">
      <div className="gbr-card-head">
        <span className="gbr-card-title">Review</span>
        {s.reviewOverdue ? (
          <span className="gbr-pill red" data-testid="review-overdue">
            ⚠ Review overdue
          </span>
        ) : null}
        <StatusPill status={s.reviewStatus} testId="review-status" />
      </div>
      <div className="gbr-card-body">
        <dl className="gbr-kv">
          <dt>Submitted by</dt>
          <dd>{memberName(members, s.submittedBy)}</dd>
          <dt>Submitted</dt>
          <dd>{formatDateTime(s.submittedAt)}</dd>
          {reviewMode === 'submission' ? (
            <>
              <dt>Reviewer</dt>
              <dd data-testid="reviewer">
                {memberName(members, s.reviewerId) ?? <span className="gbr-empty">nobody yet</span>}
              </dd>
            </>
          ) : (
            <>
              <dt>Reviewed</dt>
              <dd>
                section by section · {approved} of {sections.length} approved
              </dd>
            </>
          )}
          <dt>Processing</dt>
          <dd>
            <span className={`gbr-pill ${processing.tone}`} data-testid="processing-status">
              {processing.label}
            </span>
          </dd>
        </dl>
        {s.processingStatus === 2 && s.processingError ? (
          <div className="gbr-callout red" data-testid="processing-error">
            <b>Processing error:</b> {s.processingError}
          </div>
        ) : null}
        {reason ? (
          <div className={`gbr-callout ${s.reviewStatus === 'rejected' ? 'red' : 'grey'}`} data-testid="review-reason">
            <b>{s.reviewStatus === 'rejected' ? 'Rejected: ' : 'Reason: '}</b>
            {reason}
          </div>
        ) : null}
        {reviewMode === 'submission' ? (
          <ReviewCommands
            status={s.reviewStatus}
            busy={busy}
            run={run}
            allowed={{ claim: permissions.canClaim, approve: permissions.canApprove, reject: permissions.canReject }}
          />
        ) : s.reviewStatus === 'submitted' || s.reviewStatus === 'in_review' ? (
          <div className="gbr-muted">Claim, approve or reject each section next to it.</div>
        ) : null}
        <SubmissionCommands status={s.reviewStatus} permissions={permissions} busy={busy} run={run} />
        {editLink}
      </div>
    </div>
  );
};
