import React from 'react';
import { MessageBox } from '@adminjs/design-system';
import type { ApiError, PlanView as Plan } from './types';

/** The dry run of a publish: what changes, the exact SQL, and the checks on existing rows. */
export const PlanView: React.FC<{ plan: Plan; stale: boolean }> = ({ plan, stale }) => {
  const failing = plan.checks.filter((c) => c.failing > 0);
  return (
    <div data-testid="plan-result" data-ok={String(plan.ok)}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 10, flexWrap: 'wrap', marginBottom: 10 }}>
        {plan.ok ? (
          <span className="gbfb-pill green" style={{ fontSize: 12, padding: '3px 10px' }}>✓ Ready to publish</span>
        ) : (
          <span className="gbfb-pill red" style={{ fontSize: 12, padding: '3px 10px' }}>✕ Publish would be refused: {failing.length} failing check{failing.length === 1 ? '' : 's'}</span>
        )}
        <strong style={{ fontWeight: 500 }}>
          {plan.fromVersion === null ? `First version: v${plan.toVersion}` : `v${plan.fromVersion} → v${plan.toVersion}`}
        </strong>
        <span className="gbfb-muted">
          {plan.fields.toLocaleString()} fields · {plan.statements.length} SQL statement{plan.statements.length === 1 ? '' : 's'} · {plan.checks.length} check{plan.checks.length === 1 ? '' : 's'} on existing rows
        </span>
        {stale ? <span className="gbfb-pill amber">made before your latest edits</span> : null}
      </div>

      <div className="gbfb-label" style={{ marginTop: 12 }}>Changes</div>
      {plan.changes.length ? (
        <ul style={{ margin: '4px 0 12px', paddingLeft: 20, lineHeight: 1.6, listStyle: 'disc' }} data-testid="plan-changes">
          {plan.changes.map((c, i) => <li key={i}>{c}</li>)}
        </ul>
      ) : <div className="gbfb-muted" style={{ marginBottom: 12 }}>No changes to the tables.</div>}

      <div className="gbfb-label">SQL statements</div>
      {plan.statements.length === 0 ? <div className="gbfb-muted" style={{ marginBottom: 12 }}>None: the tables stay as they are.</div> : null}
      <div data-testid="plan-statements">
        {plan.statements.map((st, i) => (
          <div key={i}>
            <div className="gbfb-muted">{i + 1}. {st.reason}</div>
            <pre className="gbfb-pre" data-testid="plan-statement">{st.sql}</pre>
          </div>
        ))}
      </div>

      {plan.checks.length ? (
        <>
          <div className="gbfb-label" style={{ marginTop: 8 }}>Checks on existing rows</div>
          <table className="gbfb-table" data-testid="plan-checks">
            <thead>
              <tr><th>Field</th><th>Rule</th><th>Check</th><th>Failing rows</th><th>Example submissions</th></tr>
            </thead>
            <tbody>
              {plan.checks.map((c, i) => (
                <tr key={i} style={c.failing ? { background: '#FFF7F8' } : undefined}>
                  <td className="gbfb-mono">{c.field}</td>
                  <td>{c.rule}</td>
                  <td>{c.description}</td>
                  <td>
                    {c.skipped ? <span className="gbfb-pill">skipped</span> : c.failing ? <span className="gbfb-pill red">{c.failing.toLocaleString()}</span> : <span className="gbfb-pill green">0</span>}
                  </td>
                  <td className="gbfb-mono">
                    {c.examples.length ? c.examples.join(', ') : '—'}
                    {c.reportUrl ? (
                      <div>
                        <a href={`${c.reportUrl}&format=csv`} data-testid="plan-report-csv" download>
                          All {c.failing.toLocaleString()} with their values (CSV)
                        </a>
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
};

export type PublishOutcome =
  | { ok: true; version: number; durationMs: number; statements: number }
  | { ok: false; message: string; errors: ApiError[] };

export const PublishResult: React.FC<{ outcome: PublishOutcome }> = ({ outcome }) => (
  <div data-testid="publish-result" data-ok={String(outcome.ok)} style={{ marginBottom: 12 }}>
    {outcome.ok ? (
      <MessageBox variant="success" message={`Published version ${outcome.version}`}>
        {outcome.statements} SQL statement{outcome.statements === 1 ? '' : 's'} ran in {outcome.durationMs} ms. New submissions use version {outcome.version}.
      </MessageBox>
    ) : (
      <MessageBox variant="danger" message={outcome.message}>
        {outcome.errors.length ? (
          <ul style={{ margin: '4px 0 0', paddingLeft: 18, listStyle: 'disc' }}>
            {outcome.errors.map((e, i) => <li key={i}>{e.path ? <span className="gbfb-mono">{e.path}: </span> : null}{e.message}</li>)}
          </ul>
        ) : null}
      </MessageBox>
    )}
  </div>
);
