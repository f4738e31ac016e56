import React, { memo } from 'react';
import { useDefaultText } from './language';
import type { ErrorIndex } from './errors';
import { hasPart, NO_ITEM_ERRORS } from './errors';
import { FieldRow, hasDetailError, reactKeys, RowsHead, useExpanded } from './field-editor';
import type { BuilderAction, TablePatch } from './state';
import type { RepeatingTable } from './types';
import { ConstraintsEditor } from './expression-editor';
import { AddButton, Field as Labeled, IconButton, ItemErrors, NumberInput, TextArea, TextInput } from './ui';

/** A repeating table of a section: its key, label, row bounds and columns (edited like fields). */
export const TableEditor = memo(function TableEditor({
  table,
  s,
  t,
  isLast,
  errors,
  focusId,
  dispatch,
}: {
  table: RepeatingTable;
  s: number;
  t: number;
  isLast: boolean;
  errors: ErrorIndex;
  focusId: string | null;
  dispatch: React.Dispatch<BuilderAction>;
}) {
  const [expanded, toggle] = useExpanded();
  const own = errors.byItem.get(table.id) ?? NO_ITEM_ERRORS;
  const loc = `${s}-${t}`;
  const update = (patch: TablePatch) => dispatch({ type: 'table/update', s, t, patch });
  const tx = useDefaultText();

  return (
    <div
      className="gbfb-card"
      style={{ marginTop: 14, borderLeft: '3px solid #99A9EE' }}
      data-testid={`table-${loc}`}
      data-item-id={table.id}
    >
      <div
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 10,
          padding: '10px 12px',
          borderBottom: '1px solid #EEEEEF',
        }}
      >
        <span className="gbfb-pill blue">Repeating table</span>
        <strong style={{ fontWeight: 500 }}>{tx.show(table.label)}</strong>
        <span className="gbfb-muted">
          {table.columns.length} column{table.columns.length === 1 ? '' : 's'}
        </span>
        <span style={{ flex: 1 }} />
        <IconButton
          icon="ArrowUp"
          title="Move table up"
          disabled={t === 0}
          onClick={() => dispatch({ type: 'table/move', s, t, by: -1 })}
        />
        <IconButton
          icon="ArrowDown"
          title="Move table down"
          disabled={isLast}
          onClick={() => dispatch({ type: 'table/move', s, t, by: 1 })}
        />
        <IconButton
          icon="Trash2"
          danger
          title="Remove table"
          testId={`table-remove-${loc}`}
          onClick={() =>
            window.confirm(`Remove the table "${tx.show(table.label)}" and its ${table.columns.length} column(s)?`) &&
            dispatch({ type: 'table/remove', s, t })
          }
        />
      </div>
      <div style={{ padding: 12 }}>
        <div style={{ display: 'grid', gridTemplateColumns: '1.5fr 1.2fr 110px 110px', gap: 12 }}>
          <Labeled label="Label">
            <TextInput
              value={tx.show(table.label)}
              testId={`table-label-${loc}`}
              autoFocus={focusId === table.id}
              invalid={hasPart(own, 'label')}
              onChange={(label) => update({ label: tx.edit(table.label, label) })}
            />
          </Labeled>
          <Labeled label="Key">
            <TextInput
              mono
              value={table.key}
              testId={`table-key-${loc}`}
              invalid={hasPart(own, 'key')}
              onChange={(key) => update({ key })}
            />
          </Labeled>
          <Labeled label="Min rows">
            <NumberInput
              integer
              min={0}
              value={table.minRows}
              testId={`table-minrows-${loc}`}
              invalid={hasPart(own, 'minRows')}
              onChange={(minRows) => update({ minRows })}
            />
          </Labeled>
          <Labeled label="Max rows">
            <NumberInput
              integer
              min={1}
              value={table.maxRows}
              testId={`table-maxrows-${loc}`}
              invalid={hasPart(own, 'maxRows')}
              onChange={(maxRows) => update({ maxRows })}
            />
          </Labeled>
        </div>
        <div style={{ marginTop: 10 }}>
          <Labeled label="Help text">
            <TextArea
              value={tx.show(table.help)}
              rows={1}
              testId={`table-help-${loc}`}
              onChange={(help) => update({ help: tx.edit(table.help, help) })}
            />
          </Labeled>
          <ConstraintsEditor
            itemId={table.id}
            constraints={table.constraints}
            testPrefix={`table-${loc}`}
            hint="Must hold over all rows, e.g. sum(${items.line}) <= 1000"
            onChange={(constraints) => update({ constraints })}
          />
        </div>
        <ItemErrors errors={own} testId={`table-errors-${loc}`} />
        <div className="gbfb-rows" style={{ marginTop: 12 }}>
          <RowsHead />
          {reactKeys(table.columns).map((key, c) => {
            const column = table.columns[c]!;
            const columnErrors = errors.byItem.get(column.id) ?? NO_ITEM_ERRORS;
            return (
              <FieldRow
                key={key}
                field={column}
                s={s}
                t={t}
                f={c}
                isLast={c === table.columns.length - 1}
                errors={columnErrors}
                expanded={expanded.has(column.id) || hasDetailError(columnErrors)}
                autoFocus={focusId === column.id}
                onToggle={toggle}
                dispatch={dispatch}
              />
            );
          })}
        </div>
        <div style={{ marginTop: 10 }}>
          <AddButton
            label="Add column"
            testId={`add-column-${loc}`}
            onClick={() => dispatch({ type: 'item/add', s, t })}
          />
        </div>
      </div>
    </div>
  );
});
