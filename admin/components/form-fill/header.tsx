import React from 'react';
import { REVIEW_STATUS_DISPLAY } from '../../../src/review/status-display';
import { Required } from './field-row';
import { useText } from './text';
import type { Definition, FillData } from './types';

/** Title, what is being filled, and whether there are unsaved changes. */
export const Header: React.FC<{
  info: FillData;
  title: string;
  recordId: string;
  dirty: boolean;
  language?: React.ReactNode;
}> = ({ info, title, recordId, dirty, language }) => {
  const t = useText();
  const status = info.reviewStatus ? REVIEW_STATUS_DISPLAY[info.reviewStatus] : null;
  return (
    <div className="gbff-card gbff-header">
      <div style={{ flex: 1, minWidth: 0 }}>
        <div style={{ display: 'flex', alignItems: 'center', gap: 10, flexWrap: 'wrap' }}>
          <span className="gbff-title">{title}</span>
          {info.mode === 'create' ? (
            <span className="gbff-pill blue">{t.newAnswer}</span>
          ) : (
            <span className="gbff-pill">{t.submissionNumber(recordId)}</span>
          )}
          {status ? (
            <span className={`gbff-pill ${status.tone}`} data-testid="fill-status">
              {t.status[info.reviewStatus!]}
            </span>
          ) : null}
          {dirty ? (
            <span className="gbff-pill amber" data-testid="fill-dirty">
              ● {t.unsaved}
            </span>
          ) : null}
          <span style={{ marginLeft: 'auto' }}>{language}</span>
        </div>
        <div className="gbff-muted" style={{ marginTop: 4 }} data-testid="fill-required-note">
          {t.requiredNoteBefore} <Required on /> {t.requiredNoteAfter}
        </div>
      </div>
    </div>
  );
};

/** The reason of a rejection, section ids (section review) read as their labels. */
export const RejectionReason: React.FC<{ reason: string; definition: Definition; lockedCount: number }> = ({
  reason,
  definition,
  lockedCount,
}) => {
  const t = useText();
  let text = reason;
  for (const s of definition.sections) text = text.split(`${s.id}: `).join(`${s.label}: `);
  return (
    <div className="gbff-callout red" data-testid="rejection-reason">
      <div className="gbff-callout-title">{t.returnedTitle}</div>
      <div className="gbff-callout-body">{text}</div>
      <div className="gbff-muted" style={{ marginTop: 6 }}>
        {t.returnedHelp}
        {lockedCount ? ` ${t.approvedSectionsReadOnly}` : ''}
      </div>
    </div>
  );
};
