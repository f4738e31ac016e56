import type { FollowUpView } from '../../../src/review/follow-ups.service.js';
/**
 * What the `review` record action answers (admin/actions/review-page.action.ts). The payload view
 * mirrors src/submissions/payload-view.ts (copied: importing it would pull server modules into
 * this project's type check).
 */
export type ReviewStatus = 'draft' | 'submitted' | 'in_review' | 'approved' | 'rejected';
export type SectionStatus = 'submitted' | 'in_review' | 'approved' | 'rejected';

export interface ViewField {
  key: string;
  label: string;
  type: string;
  value: unknown;
  display: string;
}

export interface ViewSection {
  key: string;
  label: string;
  fields: ViewField[];
  tables: { key: string; label: string; columns: string[]; rows: string[][] }[];
}

export interface PayloadView {
  templateTitle: string;
  version: number;
  sections: ViewSection[];
}

export interface SubmissionInfo {
  id: string;
  reviewStatus: ReviewStatus;
  reviewerId: string | null;
  reviewReason: string | null;
  /** 0 pending, 1 processed, 2 failed. */
  processingStatus: number;
  processingError: string | null;
  submittedBy: string;
  submittedAt: string | null;
  reviewOverdue: boolean;
  templateTitle: string;
}

/** The languages of the form (several: the page offers a switch) and the one the page is in. */
export interface PageLanguage {
  languages: string[];
  language: string | null;
}

export interface SectionReview {
  sectionId: string;
  key: string;
  label: string;
  /** What the current user may do to this section now (the server decides; it checks again). */
  canClaim: boolean;
  canApprove: boolean;
  canReject: boolean;
  status: SectionStatus;
  reviewerId: string | null;
  reason: string | null;
  updatedAt: string;
}

export interface Comment {
  id: string;
  authorName: string;
  body: string;
  createdAt: string;
}

/** A follow-up as the service reads it, with whether this reviewer may resolve it. */
export type FollowUp = FollowUpView & { canResolve: boolean };

export interface FileInfo {
  id: string;
  name: string;
  size: number;
  type: string;
  field: string;
}

export interface HistoryEntry {
  id: string;
  createdAt: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface Member {
  id: string;
  name: string;
  role: string;
}

export interface Permissions {
  canClaim: boolean;
  canApprove: boolean;
  canReject: boolean;
  canReopen: boolean;
  canSubmit: boolean;
  canEdit: boolean;
  canComment: boolean;
  canFollowUp: boolean;
}

export interface ApiError {
  path: string;
  message: string;
}

export interface ReviewData extends PageLanguage {
  submission: SubmissionInfo;
  reviewMode: 'submission' | 'section';
  view: PayloadView;
  sections: SectionReview[];
  comments: Comment[];
  followUps: FollowUp[];
  history: HistoryEntry[];
  members: Member[];
  files: FileInfo[];
  permissions: Permissions;
  notice?: { message: string; type: 'success' | 'error' | 'info' };
  errors?: ApiError[];
}

/** Runs one POST operation of the page; resolves true when the server reported no error. */
export type RunOp = (fields: Record<string, string>) => Promise<boolean>;
