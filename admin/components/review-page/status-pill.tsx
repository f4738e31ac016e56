import React from 'react';
import { STATUS_LABELS, STATUS_TONES } from './format';

/** A review status as a colored pill. */
export const StatusPill: React.FC<{ status: string; testId?: string }> = ({ status, testId }) => (
  <span className={`gbr-pill ${STATUS_TONES[status] ?? 'grey'}`} data-testid={testId} data-status={status}>
    {STATUS_LABELS[status] ?? status}
  </span>
);
