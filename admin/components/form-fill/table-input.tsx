import React from 'react';
import { cellPath, fieldPath, type ErrorIndex } from './errors';
import { FieldInput } from './field-input';
import { FieldErrors, Required } from './field-row';
import { useText } from './text';
import type { RepeatingTable, Row } from './types';

/** A repeating table: one row per entry, rows added and removed within its min/max rows. */
export const TableInput: React.FC<{
  table: RepeatingTable;
  sectionKey: string;
  rows: Row[];
  /** The rows as the server will store them (calculated columns computed). */
  computedRows?: Row[];
  setRows: (rows: Row[]) => void;
  errors: ErrorIndex;
  disabled: boolean;
}> = ({ table, sectionKey, rows, computedRows, setRows, errors, disabled }) => {
  const base = `input-${sectionKey}-${table.key}`;
  const min = table.minRows ?? 0;
  const max = table.maxRows;
  const t = useText();
  const limits = min || max !== undefined ? t.rowLimits(min, max) : '';
  return (
    <div className="gbff-field wide" data-testid={`table-${sectionKey}-${table.key}`}>
      <div className="gbff-label">
        {table.label}
        <Required on={min > 0} />
        {limits ? (
          <span className="gbff-muted" style={{ fontWeight: 400, marginLeft: 8 }}>
            {limits}
          </span>
        ) : null}
      </div>
      {table.help ? (
        <div className="gbff-help" style={{ marginTop: 0, marginBottom: 6 }}>
          {table.help}
        </div>
      ) : null}
      <div style={{ overflowX: 'auto', border: '1px solid #EEEEEF', borderRadius: 4 }}>
        <table className="gbff-table">
          <thead>
            <tr>
              <th style={{ width: 34 }}>#</th>
              {table.columns.map((c) => (
                <th key={c.id} title={c.help}>
                  {c.label}
                  <Required on={c.rules?.required === true} />
                </th>
              ))}
              <th style={{ width: 40 }} />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={r} data-testid={`${base}-row-${r}`}>
                <td className="gbff-muted" style={{ paddingTop: 12 }}>
                  {r + 1}
                </td>
                {table.columns.map((c) => {
                  const messages = errors.get(cellPath(sectionKey, table.key, r, c.key));
                  return (
                    <td key={c.id} style={{ minWidth: c.type === 'long_text' ? 220 : 140 }}>
                      <FieldInput
                        field={c}
                        value={c.type === 'calculated' ? computedRows?.[r]?.[c.key] : row[c.key]}
                        compact
                        testId={`${base}-${r}-${c.key}`}
                        invalid={!!messages?.length}
                        disabled={disabled}
                        onChange={(v) => setRows(rows.map((x, k) => (k === r ? { ...x, [c.key]: v } : x)))}
                      />
                      <FieldErrors messages={messages} />
                    </td>
                  );
                })}
                <td>
                  {!disabled ? (
                    <button
                      type="button"
                      className="gbff-icon-btn"
                      title={t.removeThisRow}
                      aria-label={t.removeRow(r + 1)}
                      disabled={rows.length <= min}
                      data-testid={`${base}-remove-${r}`}
                      onClick={() => setRows(rows.filter((_, k) => k !== r))}
                    >
                      ×
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <tr>
                <td colSpan={table.columns.length + 2} className="gbff-muted" style={{ padding: '10px 8px' }}>
                  {t.noRows}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <FieldErrors
        messages={errors.get(fieldPath(sectionKey, table.key))}
        testId={`error-${sectionKey}-${table.key}`}
      />
      {!disabled ? (
        <button
          type="button"
          className="gbff-link-btn"
          style={{ marginTop: 8 }}
          data-testid={`${base}-add`}
          disabled={max !== undefined && rows.length >= max}
          onClick={() => setRows([...rows, {}])}
        >
          + {t.addRow}
        </button>
      ) : null}
    </div>
  );
};
