import React, { useCallback, useEffect, useState } from 'react';
import type { BuilderApi } from './api';
import type { ConversionView } from './types';

/** How often the progress of a conversion in progress is read again. */
const POLL_MS = 1500;

const STATE_LABEL: Record<ConversionView['state'], string> = {
  backfilling: 'converting',
  done: 'done',
  cancelled: 'cancelled',
  failed: 'failed',
};

/**
 * The type changes of big tables converting in the background (src/templates/conversions.service.ts):
 * a progress bar each, read again every 1.5 s while one is in progress, and a cancel button. Shown
 * under the publish result; `refresh` changes after each publish so a new conversion shows at once.
 */
export const Conversions: React.FC<{ api: BuilderApi; refresh: number; canEdit: boolean }> = ({
  api,
  refresh,
  canEdit,
}) => {
  const [list, setList] = useState<ConversionView[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => {
    const data = await api.conversions();
    if (data.conversions) setList(data.conversions);
  }, [api]);

  useEffect(() => {
    void load();
  }, [load, refresh]);
  const running = list.some((c) => c.state === 'backfilling');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [running, load]);

  const cancel = async (c: ConversionView) => {
    if (
      !window.confirm(
        `Cancel the conversion of ${c.field}? Its new column is dropped and the column keeps its type (${c.fromType}).`,
      )
    )
      return;
    const data = await api.cancelConversion(c.id);
    if (data.conversions) setList(data.conversions);
    setMessage(data.notice?.message ?? null);
  };

  // Only what matters now: those in progress, and the latest few that ended.
  const shown = [
    ...list.filter((c) => c.state === 'backfilling'),
    ...list.filter((c) => c.state !== 'backfilling').slice(0, 3),
  ];
  if (shown.length === 0) return null;
  return (
    <div className="gbfb-card" style={{ padding: '14px 20px', marginBottom: 16 }} data-testid="conversions">
      <div style={{ fontWeight: 500, fontSize: 15, marginBottom: 8 }}>Type changes converting in the background</div>
      {message ? (
        <div className="gbfb-muted" style={{ marginBottom: 8 }}>
          {message}
        </div>
      ) : null}
      {shown.map((c) => {
        const percent = Math.round(c.progress * 100);
        return (
          <div key={c.id} data-testid="conversion" data-state={c.state} style={{ marginBottom: 10 }}>
            <div style={{ display: 'flex', gap: 10, alignItems: 'center', flexWrap: 'wrap' }}>
              <span className="gbfb-mono">{c.field}</span>
              <span className="gbfb-muted">
                {c.fromType} → {c.targetType} (v{c.version})
              </span>
              <span
                className={`gbfb-pill ${c.state === 'done' ? 'green' : c.state === 'backfilling' ? 'amber' : c.state === 'failed' ? 'red' : ''}`}
              >
                {STATE_LABEL[c.state]}
              </span>
              <span className="gbfb-muted">
                {c.rowsDone.toLocaleString()} of {c.totalRows.toLocaleString()} rows
                {c.lateUnconvertedRows
                  ? ` · ${c.lateUnconvertedRows.toLocaleString()} written after the checks did not convert (kept in the old column)`
                  : ''}
              </span>
              {canEdit && (c.state === 'backfilling' || c.state === 'failed') ? (
                <button
                  type="button"
                  className="gbfb-link-btn"
                  data-testid="conversion-cancel"
                  onClick={() => void cancel(c)}
                >
                  Cancel
                </button>
              ) : null}
            </div>
            <div
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              aria-label={`${c.field} converted`}
              style={{ height: 8, background: '#EEF0F4', borderRadius: 4, marginTop: 4, overflow: 'hidden' }}
            >
              <div
                style={{
                  width: `${percent}%`,
                  height: '100%',
                  background: c.state === 'failed' ? '#C20012' : '#4268F6',
                  transition: 'width 0.4s',
                }}
              />
            </div>
            {c.state === 'backfilling' ? (
              <div className="gbfb-muted" style={{ fontSize: 12 }}>
                Submissions, lists and exports keep working and read the old column until the swap.
              </div>
            ) : null}
            {c.error ? (
              <div className="gbfb-muted" style={{ color: '#C20012' }}>
                {c.error}
              </div>
            ) : null}
          </div>
        );
      })}
    </div>
  );
};
