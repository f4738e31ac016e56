import React, { memo, useEffect, useState } from 'react';
import { useDefaultText } from './language';
import { Icon } from '@adminjs/design-system';
import type { ErrorIndex } from './errors';
import { hasPart, NO_ITEM_ERRORS } from './errors';
import { FieldRow, hasDetailError, reactKeys, RowsHead, useExpanded } from './field-editor';
import type { BuilderAction, SectionPatch } from './state';
import { TableEditor } from './table-editor';
import type { Section } from './types';
import { ConstraintsEditor } from './expression-editor';
import { AddButton, Field as Labeled, IconButton, ItemErrors, TextArea, TextInput } from './ui';

const NO_KEYS = new Map<string, string>();
const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

/**
 * One section: a header (click to open or close; big templates start closed), then its key,
 * label, help, field rows and repeating tables. Memoized: editing one section leaves the others be.
 */
export const SectionEditor = memo(function SectionEditor({
  section,
  s,
  isLast,
  errors,
  focusId,
  initiallyOpen,
  dispatch,
}: {
  section: Section;
  s: number;
  isLast: boolean;
  errors: ErrorIndex;
  focusId: string | null;
  initiallyOpen: boolean;
  dispatch: React.Dispatch<BuilderAction>;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const [expanded, toggle] = useExpanded();
  const hasErrors = errors.sections.has(section.id);
  // A failed save opens the sections it concerns, so each message is seen next to its item.
  useEffect(() => {
    if (hasErrors) setOpen(true);
  }, [errors, hasErrors]);
  useEffect(() => {
    if (focusId === section.id) setOpen(true);
  }, [focusId, section.id]);

  const own = errors.byItem.get(section.id) ?? NO_ITEM_ERRORS;
  const tables = section.tables ?? [];
  const update = (patch: SectionPatch) => dispatch({ type: 'section/update', s, patch });
  const tx = useDefaultText();
  const fieldKeys = reactKeys(section.fields);
  // Keys of the fields conditions depend on, for the rows' summaries (only needed while open).
  const keyById = open ? new Map(section.fields.map((f) => [f.id, f.key])) : NO_KEYS;
  const errorCount = hasErrors
    ? [section, ...section.fields, ...tables, ...tables.flatMap((t) => t.columns)].reduce(
        (n, item) => n + (errors.byItem.get(item.id)?.length ?? 0),
        0,
      )
    : 0;

  return (
    <div
      className={['gbfb-card gbfb-section', hasErrors ? 'has-error' : ''].join(' ')}
      data-testid={`section-${s}`}
      data-item-id={section.id}
      data-open={open}
    >
      <div
        className="gbfb-section-head"
        role="button"
        tabIndex={0}
        aria-expanded={open}
        data-testid={`section-toggle-${s}`}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget && setOpen(!open)}
      >
        <Icon icon={open ? 'ChevronDown' : 'ChevronRight'} size={16} />
        <span className="gbfb-muted" style={{ minWidth: 18 }}>
          {s + 1}.
        </span>
        <strong style={{ fontWeight: 500, fontSize: 15 }}>{tx.show(section.label) || 'Untitled section'}</strong>
        <span className="gbfb-pill gbfb-mono">{section.key}</span>
        <span className="gbfb-muted" data-testid={`section-count-${s}`}>
          {plural(section.fields.length, 'field')}
          {tables.length ? ` · ${plural(tables.length, 'table')}` : ''}
        </span>
        {errorCount ? <span className="gbfb-pill red">{plural(errorCount, 'error')}</span> : null}
        <span style={{ flex: 1 }} />
        <IconButton
          icon="ArrowUp"
          title="Move section up"
          disabled={s === 0}
          testId={`section-up-${s}`}
          onClick={() => dispatch({ type: 'section/move', s, by: -1 })}
        />
        <IconButton
          icon="ArrowDown"
          title="Move section down"
          disabled={isLast}
          testId={`section-down-${s}`}
          onClick={() => dispatch({ type: 'section/move', s, by: 1 })}
        />
        <IconButton
          icon="Trash2"
          danger
          title="Remove section"
          testId={`section-remove-${s}`}
          onClick={() =>
            (section.fields.length + tables.length === 0 ||
              window.confirm(
                `Remove the section "${tx.show(section.label)}" with ${plural(section.fields.length, 'field')}?`,
              )) &&
            dispatch({ type: 'section/remove', s })
          }
        />
      </div>
      {open ? (
        <div className="gbfb-section-body">
          <div style={{ display: 'grid', gridTemplateColumns: '1.4fr 1fr 2fr', gap: 12 }}>
            <Labeled label="Section label">
              <TextInput
                value={tx.show(section.label)}
                testId={`section-label-${s}`}
                autoFocus={focusId === section.id}
                invalid={hasPart(own, 'label')}
                onChange={(label) => update({ label: tx.edit(section.label, label) })}
              />
            </Labeled>
            <Labeled label="Key">
              <TextInput
                mono
                value={section.key}
                testId={`section-key-${s}`}
                invalid={hasPart(own, 'key')}
                onChange={(key) => update({ key })}
              />
            </Labeled>
            <Labeled label="Help text">
              <TextArea
                value={tx.show(section.help)}
                rows={1}
                testId={`section-help-${s}`}
                onChange={(help) => update({ help: tx.edit(section.help, help) })}
              />
            </Labeled>
          </div>
          <ConstraintsEditor
            itemId={section.id}
            constraints={section.constraints}
            testPrefix={`section-${s}`}
            hint="Must hold for the section, e.g. coalesce(${adults}, 0) <= 12"
            onChange={(constraints) => update({ constraints })}
          />
          <ItemErrors errors={own} testId={`section-errors-${s}`} />
          <div className="gbfb-rows" style={{ marginTop: 14 }}>
            <RowsHead />
            {section.fields.length === 0 ? (
              <div className="gbfb-muted" style={{ padding: '14px 44px' }}>
                No fields yet.
              </div>
            ) : null}
            {fieldKeys.map((key, f) => {
              const field = section.fields[f]!;
              const fieldErrors = errors.byItem.get(field.id) ?? NO_ITEM_ERRORS;
              const isOpen = expanded.has(field.id) || hasDetailError(fieldErrors);
              return (
                <FieldRow
                  key={key}
                  field={field}
                  s={s}
                  t={null}
                  f={f}
                  isLast={f === section.fields.length - 1}
                  errors={fieldErrors}
                  expanded={isOpen}
                  autoFocus={focusId === field.id}
                  siblings={isOpen ? section.fields : undefined}
                  dependsOn={
                    field.showIf && typeof field.showIf !== 'string'
                      ? (keyById.get(field.showIf.field) ?? '?')
                      : undefined
                  }
                  onToggle={toggle}
                  dispatch={dispatch}
                />
              );
            })}
          </div>
          <div style={{ marginTop: 10, display: 'flex', gap: 8 }}>
            <AddButton
              label="Add field"
              testId={`add-field-${s}`}
              onClick={() => dispatch({ type: 'item/add', s, t: null })}
            />
            <AddButton
              label="Add repeating table"
              testId={`add-table-${s}`}
              onClick={() => dispatch({ type: 'table/add', s })}
            />
          </div>
          {reactKeys(tables).map((key, t) => (
            <TableEditor
              key={key}
              table={tables[t]!}
              s={s}
              t={t}
              isLast={t === tables.length - 1}
              errors={errors}
              focusId={focusId}
              dispatch={dispatch}
            />
          ))}
        </div>
      ) : null}
    </div>
  );
});
