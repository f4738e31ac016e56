import type { ReviewStatus } from '../submissions/submissions.schema.js';

/**
 * The review state machine, as data (the service applies it with one conditional UPDATE):
 *
 *   draft ──submit──▶ submitted ──claim──▶ in_review ──approve──▶ approved ──reopen (admin)──▶ submitted
 *                         ▲                     └──────reject──▶ rejected ──submit (after an edit)──┘
 */
export type ReviewCommand = 'submit' | 'claim' | 'approve' | 'reject' | 'reopen';
export type SectionStatus = 'submitted' | 'in_review' | 'approved' | 'rejected';

export const TRANSITIONS: Record<ReviewCommand, { from: ReviewStatus[]; to: ReviewStatus; verb: string }> = {
  submit: { from: ['draft', 'rejected'], to: 'submitted', verb: 'submitted' },
  claim: { from: ['submitted'], to: 'in_review', verb: 'claimed' },
  approve: { from: ['in_review'], to: 'approved', verb: 'approved' },
  reject: { from: ['in_review'], to: 'rejected', verb: 'rejected' },
  reopen: { from: ['approved'], to: 'submitted', verb: 'reopened' },
};

/** Per-section review: the same steps on one section. */
export const SECTION_TRANSITIONS: Record<'claim' | 'approve' | 'reject', { from: SectionStatus; to: SectionStatus }> = {
  claim: { from: 'submitted', to: 'in_review' },
  approve: { from: 'in_review', to: 'approved' },
  reject: { from: 'in_review', to: 'rejected' },
};

/**
 * A section-reviewed submission's status from its sections: approved when all are approved,
 * rejected when any is rejected, in review while any is being reviewed or some are decided,
 * submitted while none is touched.
 */
export function deriveSubmissionStatus(sections: SectionStatus[]): ReviewStatus {
  if (sections.length === 0) return 'submitted';
  if (sections.some((s) => s === 'rejected')) return 'rejected';
  if (sections.every((s) => s === 'approved')) return 'approved';
  if (sections.every((s) => s === 'submitted')) return 'submitted';
  return 'in_review';
}
