import React from 'react';
import { MessageBox } from '@adminjs/design-system';
import type { ApiError, ConversionChoice, ConversionChoices, PlanView as Plan } from './types';

const ON_FAILURE: { value: NonNullable<ConversionChoice['onFailure']>; label: string }[] = [
  { value: 'refuse', label: 'Refuse the publish' },
  { value: 'null', label: 'Leave them empty (null)' },
  { value: 'quarantine', label: 'Keep them as text in a quarantine column' },
];

/** `from = to` lines, an empty `to` meaning null; compared after trimming spaces, as the server does. */
export function parseMap(text: string): Record<string, string | null> {
  const map: Record<string, string | null> = {};
  for (const line of text.split('\n')) {
    const at = line.lastIndexOf('=');
    if (at < 0 || line.trim() === '') continue;
    const from = line.slice(0, at).trim();
    const to = line.slice(at + 1).trim();
    map[from] = to === '' ? null : to;
  }
  return map;
}
const formatMap = (map: NonNullable<ConversionChoice['map']> = {}) =>
  Object.entries(map)
    .map(([from, to]) => `${from} = ${to === null ? '' : String(to)}`)
    .join('\n');

/** The builder's choice for the values one type change cannot convert. */
const ConversionControls: React.FC<{ field: string; choice: ConversionChoice; onChoose: (field: string, choice: ConversionChoice) => void }> = ({
  field,
  choice,
  onChoose,
}) => {
  const [mapText, setMapText] = React.useState(formatMap(choice.map));
  return (
    <div style={{ display: 'flex', gap: 12, alignItems: 'flex-start', flexWrap: 'wrap' }} data-testid="conversion-choice" data-field={field}>
      <label>
        <div className="gbfb-muted">Values that do not convert</div>
        <select
          value={choice.onFailure ?? 'refuse'}
          data-testid="conversion-on-failure"
          onChange={(e) => onChoose(field, { ...choice, onFailure: e.target.value as ConversionChoice['onFailure'] })}
        >
          {ON_FAILURE.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
      <label style={{ flex: 1, minWidth: 220 }}>
        <div className="gbfb-muted">First replace these values (one per line: <code>twelve = 12</code>, <code>N/A =</code> for empty)</div>
        <textarea
          rows={2}
          style={{ width: '100%' }}
          value={mapText}
          data-testid="conversion-map"
          onChange={(e) => setMapText(e.target.value)}
          onBlur={() => onChoose(field, { ...choice, map: parseMap(mapText) })}
        />
      </label>
    </div>
  );
};

/** The dry run of a publish: what changes, the exact SQL, and the checks on existing rows. */
export const PlanView: React.FC<{
  plan: Plan;
  stale: boolean;
  choices: ConversionChoices;
  onChoose?: (field: string, choice: ConversionChoice) => void;
}> = ({ plan, stale, choices, onChoose }) => {
  const failing = plan.checks.filter((c) => c.failing > 0 && !c.resolution);
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

      {plan.conversions?.length ? <div className="gbfb-label">Conversion choices</div> : null}
      {plan.conversions?.length ? (
        <ul style={{ margin: '4px 0 12px', paddingLeft: 20, listStyle: 'disc' }} data-testid="plan-conversions">
          {plan.conversions.map((c) => (
            <li key={c.field}>
              <span className="gbfb-mono">{c.field}</span>: {c.mappedRows.toLocaleString()} value{c.mappedRows === 1 ? '' : 's'} replaced by the map;{' '}
              {c.unconvertedRows.toLocaleString()} that do not convert{' '}
              {c.onFailure === 'null' ? 'left empty' : c.onFailure === 'quarantine' ? `kept in ${c.quarantineColumn ?? 'a quarantine column'}` : 'refuse the publish'}
            </li>
          ))}
        </ul>
      ) : null}

      {plan.checks.length ? (
        <>
          <div className="gbfb-label" style={{ marginTop: 8 }}>Checks on existing rows</div>
          <table className="gbfb-table" data-testid="plan-checks">
            <thead>
              <tr><th>Field</th><th>Rule</th><th>Check</th><th>Failing rows</th><th>Example submissions</th></tr>
            </thead>
            <tbody>
              {plan.checks.map((c, i) => (
                <React.Fragment key={i}>
                <tr style={c.failing && !c.resolution ? { background: '#FFF7F8' } : undefined}>
                  <td className="gbfb-mono">{c.field}</td>
                  <td>{c.rule}</td>
                  <td>{c.description}</td>
                  <td>
                    {c.skipped ? <span className="gbfb-pill">skipped</span> : c.failing ? (
                      <span className={`gbfb-pill ${c.resolution ? 'amber' : 'red'}`}>
                        {c.failing.toLocaleString()}{c.resolution === 'null' ? ' → empty' : c.resolution === 'quarantine' ? ' → quarantine' : ''}
                      </span>
                    ) : <span className="gbfb-pill green">0</span>}
                    {c.values?.length ? <div className="gbfb-mono">{c.values.map((v) => v ?? 'null').join(', ')}</div> : null}
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
                {onChoose && c.rule === 'type' && (c.failing > 0 || c.resolution || choices[c.field]) ? (
                  <tr>
                    <td colSpan={5}>
                      <ConversionControls field={c.field} choice={choices[c.field] ?? {}} onChoose={onChoose} />
                    </td>
                  </tr>
                ) : null}
                </React.Fragment>
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
