/**
 * How each status reads and which colour it wears, everywhere a person sees one: the panel's
 * badges and filters, the review and fill pages, the dashboard, exports. One mapping, so Rejected
 * never looks like Processed somewhere. Browser-safe (no Node imports): the admin bundle uses it.
 */

export type Tone = 'blue' | 'green' | 'red' | 'amber' | 'grey';

export interface StatusDisplay {
  label: string;
  tone: Tone;
}

export const REVIEW_STATUS_DISPLAY: Record<string, StatusDisplay> = {
  draft: { label: 'Draft', tone: 'grey' },
  submitted: { label: 'Submitted', tone: 'blue' },
  in_review: { label: 'In review', tone: 'amber' },
  approved: { label: 'Approved', tone: 'green' },
  rejected: { label: 'Rejected', tone: 'red' },
};

/** processing_status 0, 1, 2. A draft is never processed: it shows as "Not sent", not as pending. */
export const PROCESSING_STATUS_DISPLAY: Record<string, StatusDisplay> = {
  0: { label: 'Processing pending', tone: 'grey' },
  1: { label: 'Processed', tone: 'green' },
  2: { label: 'Processing failed', tone: 'red' },
};

export const NOT_SENT: StatusDisplay = { label: 'Not sent (draft)', tone: 'grey' };

/** Template statuses. */
export const TEMPLATE_STATUS_DISPLAY: Record<string, StatusDisplay> = {
  draft: { label: 'Draft', tone: 'grey' },
  published: { label: 'Published', tone: 'green' },
  archived: { label: 'Archived', tone: 'amber' },
};

/** Background, text and border of each tone (WCAG AA contrast for the text on its background). */
export const TONE_COLOURS: Record<Tone, { bg: string; fg: string; border: string }> = {
  blue: { bg: '#e6effc', fg: '#1d4ed8', border: '#bfd3f6' },
  green: { bg: '#e5f5ea', fg: '#166534', border: '#b7e2c4' },
  red: { bg: '#fdecec', fg: '#b42318', border: '#f5c2c0' },
  amber: { bg: '#fdf3e1', fg: '#92400e', border: '#f3d9a6' },
  grey: { bg: '#eef0f3', fg: '#3f4654', border: '#d5d9e0' },
};

export const reviewStatusLabel = (status: string): string => REVIEW_STATUS_DISPLAY[status]?.label ?? status;

/** The processing status as a person reads it; a draft has not been sent to processing. */
export function processingDisplay(processingStatus: string | number, reviewStatus?: string | null): StatusDisplay {
  if (reviewStatus === 'draft') return NOT_SENT;
  return PROCESSING_STATUS_DISPLAY[String(processingStatus)] ?? { label: String(processingStatus), tone: 'grey' };
}

/** `{ value, label }` choices for a filter, in the mapping's order, with the badges' labels. */
export const filterOptions = (display: Record<string, StatusDisplay>): { value: string; label: string }[] =>
  Object.entries(display).map(([value, d]) => ({ value, label: d.label }));
