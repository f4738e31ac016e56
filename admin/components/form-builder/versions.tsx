import React, { useState } from 'react';
import type { VersionSummary } from './types';

/** Published versions, newest first, each with the DDL its publish ran (on demand: it can be long). */
export const Versions: React.FC<{ versions: VersionSummary[]; current: number | null }> = ({ versions, current }) => {
  const [open, setOpen] = useState<ReadonlySet<number>>(() => new Set());
  const toggle = (v: number) =>
    setOpen((o) => {
      const next = new Set(o);
      if (!next.delete(v)) next.add(v);
      return next;
    });
  if (!versions.length)
    return (
      <div className="gbfb-muted" data-testid="versions">
        Nothing published yet. Plan, then publish, to create version 1.
      </div>
    );
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  return (
    <table className="gbfb-table" data-testid="versions">
      <thead>
        <tr>
          <th style={{ width: 90 }}>Version</th>
          <th style={{ width: 220 }}>Published</th>
          <th style={{ width: 200 }}>Published by</th>
          <th>DDL</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((v) => (
          <tr key={v.version} data-testid={`version-${v.version}`}>
            <td>
              <strong style={{ fontWeight: 500 }}>v{v.version}</strong>
              {v.version === current ? (
                <span className="gbfb-pill green" style={{ marginLeft: 6 }}>
                  current
                </span>
              ) : null}
            </td>
            <td>{new Date(v.publishedAt).toLocaleString()}</td>
            <td data-testid={`version-by-${v.version}`}>{v.publishedByName ?? '—'}</td>
            <td>
              <button
                type="button"
                className="gbfb-link-btn"
                style={{ padding: '2px 8px' }}
                data-testid={`version-toggle-${v.version}`}
                onClick={() => toggle(v.version)}
              >
                {open.has(v.version) ? 'Hide' : 'Show'} {v.ddl.length} statement{v.ddl.length === 1 ? '' : 's'}
              </button>
              {open.has(v.version) ? (
                <pre className="gbfb-pre" data-testid={`version-ddl-${v.version}`} style={{ maxHeight: 400 }}>
                  {v.ddl.length ? v.ddl.join(';\n\n') + ';' : '-- no statements'}
                </pre>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
