import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { displayOf, toneStyle } from './status-tone';

/**
 * A status (review, processing, template) as a coloured badge in lists and on show pages: the
 * label and colour come from the one mapping (src/review/status-display.ts), so a badge, a filter
 * option and the review page always agree. A draft's processing status reads "Not sent (draft)".
 */
const StatusBadge: React.FC<BasePropertyProps> = ({ property, record }) => {
  const params: Record<string, unknown> = record?.params ?? {};
  const raw = params[property.path];
  if (raw === null || raw === undefined || raw === '') return null;
  const display = displayOf(property.custom?.statuses, String(raw), params.review_status);
  return (
    <span className="gb-status" data-status={String(raw)} data-tone={display.tone} style={toneStyle(display.tone)}>
      {display.label}
    </span>
  );
};

export default StatusBadge;
