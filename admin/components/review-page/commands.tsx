import React, { useState } from 'react';
import { ReasonPrompt } from './reason-prompt';
import type { Permissions, RunOp } from './types';

/**
 * The review commands valid for a status (submission's or section's) and allowed to the user.
 * `sectionId` is sent for section review. The server checks everything again.
 */
export const ReviewCommands: React.FC<{
  status: string;
  allowed: { claim: boolean; approve: boolean; reject: boolean };
  sectionId?: string;
  busy: boolean;
  run: RunOp;
}> = ({ status, allowed, sectionId, busy, run }) => {
  const [rejecting, setRejecting] = useState(false);
  const extra: Record<string, string> = sectionId ? { sectionId } : {};
  const canClaim = allowed.claim && status === 'submitted';
  const canApprove = allowed.approve && status === 'in_review';
  const canReject = allowed.reject && status === 'in_review';
  if (!canClaim && !canApprove && !canReject) return null;
  return (
    <div className="gbr-actions">
      {canClaim ? (
        <button
          type="button"
          className="gbr-btn"
          data-testid="cmd-claim"
          disabled={busy}
          onClick={() => run({ op: 'claim', ...extra })}
          title="Take it into review: you become its reviewer"
        >
          Claim for review
        </button>
      ) : null}
      {canApprove ? (
        <button
          type="button"
          className="gbr-btn success"
          data-testid="cmd-approve"
          disabled={busy || rejecting}
          onClick={() => run({ op: 'approve', ...extra })}
        >
          ✓ Approve
        </button>
      ) : null}
      {canReject && !rejecting ? (
        <button
          type="button"
          className="gbr-btn danger"
          data-testid="cmd-reject"
          disabled={busy}
          onClick={() => setRejecting(true)}
        >
          ✕ Reject…
        </button>
      ) : null}
      {canReject && rejecting ? (
        <ReasonPrompt
          label="Reason (the submitter sees it)"
          confirmLabel="Reject"
          danger
          busy={busy}
          testIds={{ input: 'reject-reason', confirm: 'cmd-reject-confirm' }}
          onConfirm={(reason) => run({ op: 'reject', reason, ...extra })}
          onCancel={() => setRejecting(false)}
        />
      ) : null}
    </div>
  );
};

/** Commands on the whole submission that do not depend on the review mode: submit and reopen. */
export const SubmissionCommands: React.FC<{ status: string; permissions: Permissions; busy: boolean; run: RunOp }> = ({
  status,
  permissions,
  busy,
  run,
}) => {
  const [reopening, setReopening] = useState(false);
  const canSubmit = permissions.canSubmit && (status === 'draft' || status === 'rejected');
  const canReopen = permissions.canReopen && status === 'approved';
  if (!canSubmit && !canReopen) return null;
  return (
    <div className="gbr-actions" style={{ marginTop: 8 }}>
      {canSubmit ? (
        <button
          type="button"
          className="gbr-btn"
          data-testid="cmd-submit"
          disabled={busy}
          onClick={() => run({ op: 'submit' })}
          title={status === 'rejected' ? 'Send it back for review (after editing the answer)' : 'Send it for review'}
        >
          Submit for review
        </button>
      ) : null}
      {canReopen && !reopening ? (
        <button
          type="button"
          className="gbr-btn outline"
          data-testid="cmd-reopen"
          disabled={busy}
          onClick={() => setReopening(true)}
        >
          Reopen…
        </button>
      ) : null}
      {canReopen && reopening ? (
        <ReasonPrompt
          label="Why reopen it? (kept in its history)"
          confirmLabel="Reopen"
          busy={busy}
          testIds={{ input: 'reopen-reason', confirm: 'cmd-reopen-confirm' }}
          onConfirm={(reason) => run({ op: 'reopen', reason })}
          onCancel={() => setReopening(false)}
        />
      ) : null}
    </div>
  );
};
