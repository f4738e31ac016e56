import React from 'react';
import { ReviewCommands } from './commands';
import { fileIds, FileList } from './file-list';
import { memberName } from './format';
import { StatusPill } from './status-pill';
import { useText } from '../form-fill/text';
import type { Member, Permissions, RunOp, SectionReview, ViewField, ViewSection } from './types';

/**
 * The answer by sections, as people read it (labels, option labels). In section review each
 * section carries its status, reviewer and the commands the server says the user may use.
 */

/** A link to the point on openstreetmap.org (opened on demand: the page itself loads nothing from there). */
function mapLink(value: unknown): string | null {
  const p = value as { latitude?: unknown; longitude?: unknown } | null;
  if (!p || typeof p.latitude !== 'number' || typeof p.longitude !== 'number') return null;
  const [lat, lon] = [p.latitude, p.longitude];
  return `https://www.openstreetmap.org/?mlat=${encodeURIComponent(lat)}&mlon=${encodeURIComponent(lon)}#map=17/${encodeURIComponent(lat)}/${encodeURIComponent(lon)}`;
}

const FieldValue: React.FC<{ field: ViewField; testId: string }> = ({ field, testId }) => {
  const t = useText();
  if (field.type === 'file') {
    return (
      <div>
        <div className="gbr-small" style={{ marginBottom: 4 }}>
          {field.display}
        </div>
        <FileList ids={fileIds(field.value)} testId={`${testId}-files`} />
      </div>
    );
  }
  if (field.type === 'signature') {
    const ids = fileIds(field.value);
    if (!ids.length)
      return (
        <span className="gbr-value gbr-empty" data-testid={testId}>
          —
        </span>
      );
    // Served by our own files route, which checks that this user may read the submission.
    return (
      <div data-testid={testId}>
        <img
          src={`/api/v1/files/${ids[0]}?inline=1`}
          alt={t.signature(field.label)}
          data-testid={`${testId}-signature`}
          style={{ display: 'block', maxWidth: 320, border: '1px solid #e3e3ef', borderRadius: 4, background: '#fff' }}
        />
      </div>
    );
  }
  const point = field.type === 'geopoint' ? mapLink(field.value) : null;
  if (point) {
    return (
      <span className="gbr-value" data-testid={testId}>
        {field.display}{' '}
        <a href={point} target="_blank" rel="noopener noreferrer" data-testid={`${testId}-map`}>
          {t.map} ↗
        </a>
      </span>
    );
  }
  const empty = field.display === '—';
  return (
    <span className={`gbr-value${empty ? ' gbr-empty' : ''}`} data-testid={testId}>
      {field.display}
    </span>
  );
};

const TableView: React.FC<{ table: ViewSection['tables'][number]; testId: string }> = ({ table, testId }) => {
  const t = useText();
  return (
    <div className="gbr-table-wrap" data-testid={testId}>
      <div style={{ fontWeight: 500, marginBottom: 4 }}>
        {table.label} <span className="gbr-muted">({t.rowsCount(table.rows.length)})</span>
      </div>
      {table.rows.length === 0 ? (
        <div className="gbr-empty gbr-small" style={{ paddingBottom: 8 }}>
          {t.noRows}
        </div>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <table className="gbr-table">
            <thead>
              <tr>
                <th style={{ width: 32 }}>#</th>
                {table.columns.map((c, i) => (
                  <th key={i}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, r) => (
                <tr key={r}>
                  <td className="gbr-muted">{r + 1}</td>
                  {row.map((cell, c) => (
                    <td key={c} className={cell === '—' ? 'gbr-empty' : undefined}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
};

const SectionCard: React.FC<{
  section: ViewSection;
  review: SectionReview | undefined;
  members: Member[];
  permissions: Permissions;
  me: string | null;
  busy: boolean;
  run: RunOp;
}> = ({ section, review, members, busy, run }) => {
  const t = useText();
  return (
    <div className="gbr-card gbr-section" data-testid={`section-${section.key}`}>
      <div className="gbr-section-head">
        <span className="gbr-section-title">{section.label}</span>
        {review ? (
          <>
            {review.reviewerId ? (
              <span className="gbr-muted">reviewer: {memberName(members, review.reviewerId)}</span>
            ) : null}
            <StatusPill status={review.status} testId={`section-status-${section.key}`} />
          </>
        ) : null}
      </div>
      {review ? (
        <div style={{ padding: '0 16px' }}>
          {review.status === 'rejected' && review.reason ? (
            <div className="gbr-callout red" style={{ margin: '12px 0 0' }}>
              <b>Rejected: </b>
              {review.reason}
            </div>
          ) : null}
          <div style={{ margin: '10px 0' }}>
            <ReviewCommands
              status={review.status}
              sectionId={review.sectionId}
              busy={busy}
              run={run}
              allowed={{ claim: review.canClaim, approve: review.canApprove, reject: review.canReject }}
            />
          </div>
        </div>
      ) : null}
      {section.fields.length ? (
        <div className="gbr-fields">
          {section.fields.map((f) => (
            <React.Fragment key={f.key}>
              <div className="gbr-label-cell">{f.label}</div>
              <div>
                <FieldValue field={f} testId={`value-${section.key}-${f.key}`} />
              </div>
            </React.Fragment>
          ))}
        </div>
      ) : null}
      {section.tables.map((t) => (
        <TableView key={t.key} table={t} testId={`table-${section.key}-${t.key}`} />
      ))}
      {!section.fields.length && !section.tables.length ? (
        <div className="gbr-card-body gbr-empty">{t.noFields}</div>
      ) : null}
    </div>
  );
};

export const AnswerView: React.FC<{
  sections: ViewSection[];
  reviews: SectionReview[];
  members: Member[];
  permissions: Permissions;
  me: string | null;
  busy: boolean;
  run: RunOp;
}> = ({ sections, reviews, ...rest }) => {
  const reviewOf = (section: ViewSection) => reviews.find((r) => r.key === section.key);
  return (
    <div data-testid="answer-view">
      {sections.map((section) => (
        <SectionCard key={section.key} section={section} review={reviewOf(section)} {...rest} />
      ))}
    </div>
  );
};
