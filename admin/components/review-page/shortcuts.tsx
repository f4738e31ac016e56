import React, { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useNotice } from 'adminjs';
import { ReasonPrompt } from './reason-prompt';
import { queueApi, REVIEW_QUEUE_URL, reviewUrl } from '../review-queue/api';
import type { ReviewData, RunOp } from './types';

/** Keys typed into a field are the field's: shortcuts never fire there. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * The review page's keyboard shortcuts, shown in a help line: A approves and R rejects the whole
 * submission (for section review, every open section, as the list's bulk actions do), N claims
 * the next waiting submission and opens it. The server checks each command again.
 */
export const ReviewShortcuts: React.FC<{ data: ReviewData; busy: boolean; run: RunOp }> = ({ data, busy, run }) => {
  const navigate = useNavigate();
  const addNotice = useNotice();
  const [rejecting, setRejecting] = useState(false);
  const { submission: s, permissions, reviewMode, sections } = data;
  const decidable =
    reviewMode === 'section'
      ? s.reviewStatus === 'in_review' && sections.some((x) => x.canApprove)
      : s.reviewStatus === 'in_review' && permissions.canApprove;
  const reviews = permissions.canClaim || sections.some((x) => x.canClaim || x.canApprove);

  const next = async () => {
    const answer = await queueApi.claimNext();
    if (answer.notice) addNotice(answer.notice);
    navigate(answer.claimedId ? reviewUrl(answer.claimedId) : REVIEW_QUEUE_URL);
  };

  // The listener is added once; it reads the current state through a ref.
  const state = useRef({ decidable, busy, rejecting, reviews, run, next });
  state.current = { decidable, busy, rejecting, reviews, run, next };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || typing(e.target)) return;
      const { decidable, busy, rejecting, reviews, run, next } = state.current;
      if (busy || rejecting || !reviews) return;
      const key = e.key.toLowerCase();
      if (key === 'a' && decidable) {
        e.preventDefault();
        void run({ op: 'approveWhole' });
      } else if (key === 'r' && decidable) {
        e.preventDefault();
        setRejecting(true);
      } else if (key === 'n') {
        e.preventDefault();
        void next();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (!reviews && !decidable) return null;
  return (
    <div className="gbr-muted" data-testid="review-shortcuts" style={{ width: '100%' }}>
      Keyboard:{' '}
      {decidable ? (
        <>
          <kbd>A</kbd> approve · <kbd>R</kbd> reject{reviewMode === 'section' ? ' (every open section)' : ''} ·{' '}
        </>
      ) : null}
      <kbd>N</kbd> claim the next waiting submission
      {rejecting ? (
        <ReasonPrompt
          label="Reason for rejecting (the submitter sees it)"
          confirmLabel="Reject"
          danger
          busy={busy}
          testIds={{ input: 'shortcut-reject-reason', confirm: 'shortcut-reject-confirm' }}
          onConfirm={(reason) => run({ op: 'rejectWhole', reason })}
          onCancel={() => setRejecting(false)}
        />
      ) : null}
    </div>
  );
};
