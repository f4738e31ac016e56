import React from 'react';
import { MessageBox } from '@adminjs/design-system';
import type {
  ApiError,
  BuilderResponse,
  CompactionView,
  ConversionChoice,
  ConversionChoices,
  PlanView as Plan,
  TableBudget,
} from './types';

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
const ConversionControls: React.FC<{
  field: string;
  choice: ConversionChoice;
  onChoose: (field: string, choice: ConversionChoice) => void;
}> = ({ field, choice, onChoose }) => {
  const [mapText, setMapText] = React.useState(formatMap(choice.map));
  return (
    <div
      style={{ display: 'flex', gap: 12, alignItems: 'flex-start', flexWrap: 'wrap' }}
      data-testid="conversion-choice"
      data-field={field}
    >
      <label>
        <div className="gbfb-muted">Values that do not convert</div>
        <select
          value={choice.onFailure ?? 'refuse'}
          data-testid="conversion-on-failure"
          onChange={(e) => onChoose(field, { ...choice, onFailure: e.target.value as ConversionChoice['onFailure'] })}
        >
          {ON_FAILURE.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label style={{ flex: 1, minWidth: 220 }}>
        <div className="gbfb-muted">
          First replace these values (one per line: <code>twelve = 12</code>, <code>N/A =</code> for empty)
        </div>
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

const SLOT_COLOURS = { live: '#3040D6', retired: '#A0A8C8', dropped: '#E8A33D', other: '#9A6BD8' } as const;

/**
 * Each table's column slots once published (live, retired, dropped but still counted by
 * PostgreSQL, out of 1,600) as a bar, and its row size; amber from 80%, red over the limit.
 */
/** Starting a compaction and reading the template's compactions (the builder action's `compact` and `compactions`). */
export interface CompactionApi {
  compact: (table: string) => Promise<BuilderResponse>;
  compactions: () => Promise<BuilderResponse>;
}

const ACTIVE = new Set(['queued', 'copying', 'swapping']);

/** A table's latest compaction: its progress while it runs, its outcome after. */
const CompactionLine: React.FC<{ c: CompactionView }> = ({ c }) => (
  <div className="gbfb-muted" data-testid="compaction-status" data-status={c.status}>
    Compaction {c.status}
    {ACTIVE.has(c.status)
      ? `: ${c.rowsCopied.toLocaleString()}${c.rowsTotal ? ` of about ${c.rowsTotal.toLocaleString()}` : ''} rows copied`
      : ''}
    {c.status === 'done' ? `: ${c.slotsBefore ?? '?'} → ${c.slotsAfter ?? '?'} slots` : ''}
    {c.error ? `: ${c.error}` : ''}
  </div>
);

export const BudgetView: React.FC<{ budget: TableBudget[]; compaction?: CompactionApi }> = ({ budget, compaction }) => {
  const [runs, setRuns] = React.useState<CompactionView[]>([]);
  const [problem, setProblem] = React.useState<string | null>(null);
  const refresh = React.useCallback(async () => {
    if (!compaction) return;
    const data = await compaction.compactions();
    if (data.compactions) setRuns(data.compactions);
  }, [compaction]);
  React.useEffect(() => {
    void refresh();
  }, [refresh]);
  // While one runs, its progress is read again every two seconds.
  const running = runs.some((r) => ACTIVE.has(r.status));
  React.useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(() => void refresh(), 2000);
    return () => clearInterval(timer);
  }, [running, refresh]);
  const start = async (table: string) => {
    if (!compaction) return;
    const data = await compaction.compact(table);
    setProblem(data.notice?.type === 'error' ? data.notice.message : null);
    if (data.compactions) setRuns(data.compactions);
  };
  const latest = (table: string) => runs.find((r) => r.table === table);
  return (
    <div data-testid="plan-budget">
      {problem ? <MessageBox variant="danger" message={problem} /> : null}
      <div className="gbfb-label" style={{ marginTop: 12 }}>
        Column budget
      </div>
      <table className="gbfb-table">
        <thead>
          <tr>
            <th>Table</th>
            <th>Column slots (of {budget[0]?.slots.limit.toLocaleString() ?? '1,600'})</th>
            <th>Row size</th>
          </tr>
        </thead>
        <tbody>
          {budget.map((b) => {
            const share = (n: number) => `${Math.min(100, (n / b.slots.limit) * 100)}%`;
            return (
              <tr
                key={b.table}
                data-testid="budget-row"
                data-table={b.table}
                data-level={b.level}
                style={b.level === 'full' ? { background: '#FFF7F8' } : undefined}
              >
                <td>
                  <div className="gbfb-mono">{b.key}</div>
                  <div className="gbfb-muted gbfb-mono">
                    {b.table}
                    {b.retired ? ' (retired)' : ''}
                  </div>
                </td>
                <td style={{ minWidth: 260 }}>
                  <div
                    role="meter"
                    aria-valuemin={0}
                    aria-valuemax={b.slots.limit}
                    aria-valuenow={b.slots.used}
                    aria-label={`${b.key}: ${b.slots.used} of ${b.slots.limit} column slots`}
                    style={{ display: 'flex', height: 10, background: '#EEF0F6', borderRadius: 5, overflow: 'hidden' }}
                  >
                    {(['live', 'retired', 'dropped', 'other'] as const).map((k) =>
                      b.slots[k] ? (
                        <div
                          key={k}
                          title={`${k}: ${b.slots[k]}`}
                          style={{ width: share(b.slots[k]), background: SLOT_COLOURS[k] }}
                        />
                      ) : null,
                    )}
                  </div>
                  <div className="gbfb-muted" data-testid="budget-slots">
                    {b.slots.used.toLocaleString()} used: {b.slots.live} live, {b.slots.retired} retired,{' '}
                    {b.slots.dropped} dropped
                    {b.slots.other ? `, ${b.slots.other} other` : ''}
                    {b.added ? ` (${b.added} added by this publish)` : ''}
                  </div>
                  {b.level !== 'ok' ? (
                    <div
                      data-testid="budget-warning"
                      className={`gbfb-pill ${b.level === 'full' ? 'red' : 'amber'}`}
                      style={{ whiteSpace: 'normal' }}
                    >
                      {b.level === 'full' ? 'Over the limit: publish refused. ' : 'Over 80% of the limit. '}
                      {b.advice}
                    </div>
                  ) : null}
                </td>
                <td>
                  {b.rowBytes.toLocaleString()} / {b.rowBytesLimit.toLocaleString()} bytes
                  {latest(b.table) ? <CompactionLine c={latest(b.table)!} /> : null}
                  {compaction && b.slots.dropped > 0 && !ACTIVE.has(latest(b.table)?.status ?? '') ? (
                    <div>
                      <button
                        type="button"
                        className="gbfb-link-btn"
                        data-testid="compact-table"
                        onClick={() => void start(b.table)}
                      >
                        Compact (reclaim {b.slots.dropped} slot{b.slots.dropped === 1 ? '' : 's'})
                      </button>
                    </div>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
};

/** The dry run of a publish: what changes, the exact SQL, and the checks on existing rows. */
export const PlanView: React.FC<{
  plan: Plan;
  stale: boolean;
  choices: ConversionChoices;
  onChoose?: (field: string, choice: ConversionChoice) => void;
  /** Offered to those who may publish: compact a table with dropped slots, and follow its progress. */
  compaction?: CompactionApi;
}> = ({ plan, stale, choices, onChoose, compaction }) => {
  const failing = plan.checks.filter((c) => c.failing > 0 && !c.resolution);
  const overBudget = (plan.budget ?? []).filter((b) => b.level === 'full');
  return (
    <div data-testid="plan-result" data-ok={String(plan.ok)}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 10, flexWrap: 'wrap', marginBottom: 10 }}>
        {plan.ok ? (
          <span className="gbfb-pill green" style={{ fontSize: 12, padding: '3px 10px' }}>
            ✓ Ready to publish
          </span>
        ) : (
          <span className="gbfb-pill red" style={{ fontSize: 12, padding: '3px 10px' }}>
            ✕ Publish would be refused:{' '}
            {overBudget.length
              ? `${overBudget.length} table${overBudget.length === 1 ? '' : 's'} over the column budget`
              : `${failing.length} failing check${failing.length === 1 ? '' : 's'}`}
          </span>
        )}
        <strong style={{ fontWeight: 500 }}>
          {plan.fromVersion === null
            ? `First version: v${plan.toVersion}`
            : `v${plan.fromVersion} → v${plan.toVersion}`}
        </strong>
        <span className="gbfb-muted">
          {plan.fields.toLocaleString()} fields · {plan.statements.length} SQL statement
          {plan.statements.length === 1 ? '' : 's'} · {plan.checks.length} check{plan.checks.length === 1 ? '' : 's'} on
          existing rows
        </span>
        {stale ? <span className="gbfb-pill amber">made before your latest edits</span> : null}
      </div>

      <div className="gbfb-label" style={{ marginTop: 12 }}>
        Changes
      </div>
      {plan.changes.length ? (
        <ul
          style={{ margin: '4px 0 12px', paddingLeft: 20, lineHeight: 1.6, listStyle: 'disc' }}
          data-testid="plan-changes"
        >
          {plan.changes.map((c, i) => (
            <li key={i}>{c}</li>
          ))}
        </ul>
      ) : (
        <div className="gbfb-muted" style={{ marginBottom: 12 }}>
          No changes to the tables.
        </div>
      )}

      <div className="gbfb-label">SQL statements</div>
      {plan.statements.length === 0 ? (
        <div className="gbfb-muted" style={{ marginBottom: 12 }}>
          None: the tables stay as they are.
        </div>
      ) : null}
      <div data-testid="plan-statements">
        {plan.statements.map((st, i) => (
          <div key={i}>
            <div className="gbfb-muted">
              {i + 1}. {st.reason}
            </div>
            <pre className="gbfb-pre" data-testid="plan-statement">
              {st.sql}
            </pre>
          </div>
        ))}
      </div>

      {plan.budget?.length ? <BudgetView budget={plan.budget} compaction={compaction} /> : null}

      {plan.conversions?.length ? <div className="gbfb-label">Conversion choices</div> : null}
      {plan.conversions?.length ? (
        <ul style={{ margin: '4px 0 12px', paddingLeft: 20, listStyle: 'disc' }} data-testid="plan-conversions">
          {plan.conversions.map((c) => (
            <li key={c.field}>
              <span className="gbfb-mono">{c.field}</span>: {c.mappedRows.toLocaleString()} value
              {c.mappedRows === 1 ? '' : 's'} replaced by the map; {c.unconvertedRows.toLocaleString()} that do not
              convert{' '}
              {c.onFailure === 'null'
                ? 'left empty'
                : c.onFailure === 'quarantine'
                  ? `kept in ${c.quarantineColumn ?? 'a quarantine column'}`
                  : 'refuse the publish'}
            </li>
          ))}
        </ul>
      ) : null}

      {plan.checks.length ? (
        <>
          <div className="gbfb-label" style={{ marginTop: 8 }}>
            Checks on existing rows
          </div>
          <table className="gbfb-table" data-testid="plan-checks">
            <thead>
              <tr>
                <th>Field</th>
                <th>Rule</th>
                <th>Check</th>
                <th>Failing rows</th>
                <th>Example submissions</th>
              </tr>
            </thead>
            <tbody>
              {plan.checks.map((c, i) => (
                <React.Fragment key={i}>
                  <tr style={c.failing && !c.resolution ? { background: '#FFF7F8' } : undefined}>
                    <td className="gbfb-mono">{c.field}</td>
                    <td>{c.rule}</td>
                    <td>{c.description}</td>
                    <td>
                      {c.skipped ? (
                        <span className="gbfb-pill">skipped</span>
                      ) : c.failing ? (
                        <span className={`gbfb-pill ${c.resolution ? 'amber' : 'red'}`}>
                          {c.failing.toLocaleString()}
                          {c.resolution === 'null' ? ' → empty' : c.resolution === 'quarantine' ? ' → quarantine' : ''}
                        </span>
                      ) : (
                        <span className="gbfb-pill green">0</span>
                      )}
                      {c.values?.length ? (
                        <div className="gbfb-mono">{c.values.map((v) => v ?? 'null').join(', ')}</div>
                      ) : null}
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
        {outcome.statements} SQL statement{outcome.statements === 1 ? '' : 's'} ran in {outcome.durationMs} ms. New
        submissions use version {outcome.version}.
      </MessageBox>
    ) : (
      <MessageBox variant="danger" message={outcome.message}>
        {outcome.errors.length ? (
          <ul style={{ margin: '4px 0 0', paddingLeft: 18, listStyle: 'disc' }}>
            {outcome.errors.map((e, i) => (
              <li key={i}>
                {e.path ? <span className="gbfb-mono">{e.path}: </span> : null}
                {e.message}
              </li>
            ))}
          </ul>
        ) : null}
      </MessageBox>
    )}
  </div>
);
