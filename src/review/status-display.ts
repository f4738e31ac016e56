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

/** Background, text and border of each tone (the AdminJS theme's; text on its background passes WCAG AA). */
export const TONE_COLOURS: Record<Tone, { bg: string; fg: string; border: string }> = {
  blue: { bg: '#DDE2F9', fg: '#3040D6', border: '#C3CBF3' },
  green: { bg: '#E5F2F2', fg: '#007D7F', border: '#BFE0E0' },
  red: { bg: '#F9E5E7', fg: '#C20012', border: '#F2C2C7' },
  amber: { bg: '#F6EDE8', fg: '#A14F17', border: '#EBD3C4' },
  grey: { bg: '#F2F2F2', fg: '#454655', border: '#DDDDE2' },
};

/** CSS rules `<selector>.<tone>` for every tone: how a page's own pill class takes the mapping's colours. */
export const toneRules = (selector: string): string =>
  Object.entries(TONE_COLOURS)
    .map(([tone, c]) => `${selector}.${tone} { background: ${c.bg}; color: ${c.fg}; }`)
    .join('\n');

export const reviewStatusLabel = (status: string): string => REVIEW_STATUS_DISPLAY[status]?.label ?? status;

/** The processing status as a person reads it; a draft has not been sent to processing. */
export function processingDisplay(processingStatus: string | number, reviewStatus?: string | null): StatusDisplay {
  if (reviewStatus === 'draft') return NOT_SENT;
  return PROCESSING_STATUS_DISPLAY[String(processingStatus)] ?? { label: String(processingStatus), tone: 'grey' };
}

/** `{ value, label }` choices for a filter, in the mapping's order, with the badges' labels. */
export const filterOptions = (display: Record<string, StatusDisplay>): { value: string; label: string }[] =>
  Object.entries(display).map(([value, d]) => ({ value, label: d.label }));
