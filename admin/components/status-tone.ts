import {
  PROCESSING_STATUS_DISPLAY,
  REVIEW_STATUS_DISPLAY,
  TEMPLATE_STATUS_DISPLAY,
  TONE_COLOURS,
  processingDisplay,
  type StatusDisplay,
  type Tone,
} from '../../src/review/status-display';

/** Which statuses a property holds (its `custom.statuses` option): review, processing or template. */
export type StatusKind = 'review' | 'processing' | 'template';

const MAPS: Record<StatusKind, Record<string, StatusDisplay>> = {
  review: REVIEW_STATUS_DISPLAY,
  processing: PROCESSING_STATUS_DISPLAY,
  template: TEMPLATE_STATUS_DISPLAY,
};

export const displaysOf = (kind: unknown): Record<string, StatusDisplay> =>
  MAPS[(kind as StatusKind) ?? 'review'] ?? REVIEW_STATUS_DISPLAY;

export function displayOf(kind: unknown, value: string, reviewStatus?: unknown): StatusDisplay {
  if (kind === 'processing') return processingDisplay(value, typeof reviewStatus === 'string' ? reviewStatus : null);
  return displaysOf(kind)[value] ?? { label: value, tone: 'grey' };
}

export const toneStyle = (tone: Tone): React.CSSProperties => {
  const c = TONE_COLOURS[tone];
  return {
    display: 'inline-block',
    padding: '2px 8px',
    borderRadius: 999,
    border: `1px solid ${c.border}`,
    background: c.bg,
    color: c.fg,
    fontSize: 12,
    fontWeight: 600,
    lineHeight: '18px',
    whiteSpace: 'nowrap',
  };
};
