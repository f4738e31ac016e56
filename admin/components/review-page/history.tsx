import React, { useState } from 'react';
import { ago, formatDateTime, STATUS_LABELS, type Tone } from './format';
import type { HistoryEntry, Member } from './types';

/** The submission's audit entries as a compact timeline, newest first. */

const VERBS: Record<string, { label: string; tone?: Tone }> = {
  'submission.create': { label: 'Submitted', tone: 'blue' },
  'submission.save_draft': { label: 'Saved as a draft' },
  'submission.update': { label: 'Answer edited' },
  'submission.submit': { label: 'Sent for review', tone: 'blue' },
  'submission.claim': { label: 'Claimed for review', tone: 'amber' },
  'submission.approve': { label: 'Approved', tone: 'green' },
  'submission.reject': { label: 'Rejected', tone: 'red' },
  'submission.reopen': { label: 'Reopened', tone: 'amber' },
  'submission.section_claim': { label: 'Section claimed', tone: 'amber' },
  'submission.section_approve': { label: 'Section approved', tone: 'green' },
  'submission.section_reject': { label: 'Section rejected', tone: 'red' },
  'submission.comment': { label: 'Commented' },
  'submission.processed': { label: 'Processed', tone: 'green' },
  'submission.processing_failed': { label: 'Processing failed', tone: 'red' },
  'submission.retry_processing': { label: 'Processing retried' },
  'submission.review_overdue': { label: 'Review overdue', tone: 'red' },
  'follow_up.create': { label: 'Follow-up created' },
  'follow_up.resolve': { label: 'Follow-up resolved', tone: 'green' },
  'follow_up.overdue': { label: 'Follow-up overdue', tone: 'red' },
};

const humanize = (action: string) => {
  const last = action.split('.').pop() ?? action;
  return last.charAt(0).toUpperCase() + last.slice(1).replace(/_/g, ' ');
};

const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** One line of detail: the reason, the comment, the follow-up, the status change. Never the whole answer. */
function detail(e: HistoryEntry, sectionLabels: Record<string, string>): string | null {
  const a = e.after ?? {};
  const b = e.before ?? {};
  const section = a.section ? (sectionLabels[text(a.section)] ?? `section ${text(a.section)}`) : null;
  if (a.reason) return section ? `${section}: ${text(a.reason)}` : text(a.reason);
  if (section) return `${section}${a.status ? ` → ${STATUS_LABELS[text(a.status)] ?? text(a.status)}` : ''}`;
  if (a.body) return text(a.body);
  if (a.title) return text(a.title);
  if (a.resolution) return text(a.resolution);
  if (e.action === 'submission.update')
    return a.version !== undefined && a.version !== b.version ? `now on version ${text(a.version)}` : null;
  if (a.error) return text(a.error);
  return null;
}

/** Who did it: the member's name when they belong to the grid, else what the audit log recorded. */
const actorOf = (e: HistoryEntry, members: Member[]) =>
  (e.actorId ? members.find((m) => m.id === e.actorId)?.name : null) ?? e.actorLabel ?? 'system';

export const History: React.FC<{
  entries: HistoryEntry[];
  members: Member[];
  sectionLabels: Record<string, string>;
}> = ({ entries, members, sectionLabels }) => {
  const [all, setAll] = useState(false);
  const shown = all ? entries : entries.slice(0, 12);
  return (
    <div className="gbr-card" data-testid="history">
      <div className="gbr-card-head">
        <span className="gbr-card-title">History</span>
        <span className="gbr-pill grey">{entries.length}</span>
      </div>
      <div className="gbr-card-body">
        {entries.length === 0 ? <div className="gbr-muted">Nothing recorded yet.</div> : null}
        <ul className="gbr-timeline">
          {shown.map((e) => {
            const verb = VERBS[e.action] ?? { label: humanize(e.action) };
            const more = detail(e, sectionLabels);
            return (
              <li
                key={e.id}
                className={verb.tone ? `tone-${verb.tone}` : undefined}
                data-testid="history-entry"
                data-action={e.action}
              >
                <div className="gbr-tl-head">
                  <b>{verb.label}</b>
                  <span className="gbr-tl-actor" title={e.actorLabel ?? undefined}>
                    {actorOf(e, members)}
                  </span>
                  <span className="gbr-tl-time" title={formatDateTime(e.createdAt)}>
                    {ago(e.createdAt)}
                  </span>
                </div>
                {more ? (
                  <div className="gbr-small" style={{ color: '#454655' }}>
                    {clip(more)}
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
        {entries.length > shown.length || all ? (
          <button type="button" className="gbr-btn link" onClick={() => setAll(!all)}>
            {all ? 'Show fewer' : `Show all ${entries.length}`}
          </button>
        ) : null}
      </div>
    </div>
  );
};
