import React, { memo, useCallback, useState } from 'react';
import { useDefaultText } from './language';
import { FIELD_TYPES, isChoiceType, typeLabel } from './naming';
import { hasPart, type ItemError } from './errors';
import { OptionsEditor } from './options-editor';
import { RulesEditor } from './rules-editor';
import { ShowIfEditor } from './show-if-editor';
import type { BuilderAction, FieldPatch } from './state';
import type { Field } from './types';
import { FieldExpressions } from './expression-editor';
import { isSearchable } from '../../../src/templates/field-types';
import { CheckInput, Field as Labeled, IconButton, ItemErrors, SelectInput, TextArea, TextInput } from './ui';

const TYPE_OPTIONS = FIELD_TYPES.map((t) => ({ value: t, label: typeLabel(t) }));

/** Parts of a field edited in its details panel: an error there opens the panel. */
const DETAIL_PARTS = [
  'help',
  'rules',
  'options',
  'multiple',
  'searchable',
  'showIf',
  'expression',
  'resultType',
  'default',
  'constraints',
];
export const hasDetailError = (errors: ItemError[]) =>
  errors.some((e) => DETAIL_PARTS.some((p) => hasPart([e], p)) && e.part !== 'rules.required');

/** Which rows have their details open, with a toggle whose identity never changes (rows are memoized). */
export function useExpanded(): [ReadonlySet<string>, (id: string) => void] {
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback((id: string) => {
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);
  return [open, toggle];
}

/** React keys for a list of items: their ids, made distinct if pasted JSON repeats one (the server will say so). */
export function reactKeys(items: { id: string }[]): string[] {
  const seen = new Set<string>();
  return items.map((item, i) => {
    const key = seen.has(item.id) ? `${item.id}#${i}` : item.id;
    seen.add(item.id);
    return key;
  });
}

/** A one-line summary of what the details panel holds, shown while it is closed. */
function summary(field: Field, dependsOn: string | undefined): string[] {
  const parts: string[] = [];
  const r = field.rules ?? {};
  if (field.options) parts.push(`${field.options.length} option${field.options.length === 1 ? '' : 's'}`);
  if (field.multiple) parts.push('several files');
  if (r.unique) parts.push('unique');
  if (field.searchable) parts.push('searchable');
  for (const k of ['min', 'max', 'minLength', 'maxLength', 'minItems', 'maxItems', 'maxSize'] as const)
    if (r[k] !== undefined) parts.push(`${k} ${r[k]}`);
  if (r.pattern) parts.push(`pattern ${r.pattern}`);
  if (r.accept) parts.push(`accepts ${r.accept.join(', ')}`);
  if (typeof field.showIf === 'string') parts.push(`shown if ${field.showIf}`);
  else if (field.showIf) {
    const value = field.showIf.in ? `is one of ${field.showIf.in.join(', ')}` : `= ${String(field.showIf.equals)}`;
    parts.push(`shown if ${dependsOn ?? 'another field'} ${value}`);
  }
  if (field.help) parts.push('help text');
  return parts;
}

export interface FieldRowProps {
  field: Field;
  s: number;
  /** The table when this is a column; null for a section field. */
  t: number | null;
  f: number;
  isLast: boolean;
  errors: ItemError[];
  expanded: boolean;
  autoFocus: boolean;
  /** The section's fields, for the showIf editor and summary; passed only to open rows, so closed rows stay memoized. */
  siblings?: Field[];
  /** Key of the field this one's condition depends on (a string, so the row stays memoizable). */
  dependsOn?: string;
  onToggle: (id: string) => void;
  dispatch: React.Dispatch<BuilderAction>;
}

/**
 * One field (or table column): a compact row with label, key, type and required, and a details
 * panel with help, rules, options, `multiple` and the condition. Memoized: typing in one row of a
 * thousand re-renders that row only.
 */
export const FieldRow = memo(function FieldRow({
  field,
  s,
  t,
  f,
  isLast,
  errors,
  expanded,
  autoFocus,
  siblings,
  dependsOn,
  onToggle,
  dispatch,
}: FieldRowProps) {
  const inTable = t !== null;
  const kind = inTable ? 'column' : 'field';
  const loc = inTable ? `${s}-${t}-${f}` : `${s}-${f}`;
  const update = (patch: FieldPatch) => dispatch({ type: 'item/update', s, t, f, patch });
  const tx = useDefaultText();
  const info = summary(field, dependsOn);

  return (
    <div
      className={['gbfb-row', errors.length ? 'has-error' : ''].join(' ')}
      data-testid={`${kind}-${loc}`}
      data-item-id={field.id}
    >
      <span className="gbfb-row-num">{f + 1}</span>
      <TextInput
        value={tx.show(field.label)}
        aria-label="Label"
        testId={`${kind}-label-${loc}`}
        autoFocus={autoFocus}
        invalid={hasPart(errors, 'label')}
        onChange={(label) => update({ label: tx.edit(field.label, label) })}
      />
      <TextInput
        mono
        value={field.key}
        aria-label="Key"
        testId={`${kind}-key-${loc}`}
        invalid={hasPart(errors, 'key')}
        onChange={(key) => update({ key })}
      />
      <SelectInput
        value={field.type}
        aria-label="Type"
        options={TYPE_OPTIONS}
        testId={`${kind}-type-${loc}`}
        invalid={hasPart(errors, 'type')}
        onChange={(type) => update({ type: type as Field['type'] })}
      />
      {field.type === 'note' ? (
        <span className="gbfb-muted">no answer</span>
      ) : (
        <CheckInput
          label="Required"
          checked={field.rules?.required === true}
          testId={`${kind}-required-${loc}`}
          onChange={(on) => update({ rules: { ...field.rules, required: on ? true : undefined } })}
        />
      )}
      <span className="gbfb-row-actions">
        <IconButton
          icon={expanded ? 'ChevronUp' : 'Settings'}
          title={expanded ? 'Hide details' : 'Details: help, rules, options, condition'}
          on={expanded}
          edits={false}
          testId={`${kind}-details-${loc}`}
          onClick={() => onToggle(field.id)}
        />
        <IconButton
          icon="ArrowUp"
          title="Move up"
          disabled={f === 0}
          testId={`${kind}-up-${loc}`}
          onClick={() => dispatch({ type: 'item/move', s, t, f, by: -1 })}
        />
        <IconButton
          icon="ArrowDown"
          title="Move down"
          disabled={isLast}
          testId={`${kind}-down-${loc}`}
          onClick={() => dispatch({ type: 'item/move', s, t, f, by: 1 })}
        />
        <IconButton
          icon="Trash2"
          title={`Remove ${kind}`}
          danger
          testId={`${kind}-remove-${loc}`}
          onClick={() => dispatch({ type: 'item/remove', s, t, f })}
        />
      </span>
      {!expanded && info.length ? <div className="gbfb-item-errors gbfb-muted">{info.join(' · ')}</div> : null}
      {errors.length ? (
        <ItemErrors className="gbfb-item-errors" errors={errors} testId={`${kind}-errors-${loc}`} />
      ) : null}
      {expanded ? (
        <div className="gbfb-details" data-testid={`${kind}-panel-${loc}`}>
          {field.type === 'note' ? (
            <Labeled
              label="Note text"
              hint="Shown to the person filling the form, as plain text (up to 5,000 characters); it takes no answer."
            >
              <TextArea
                value={tx.show(field.label)}
                testId={`${kind}-note-${loc}`}
                invalid={hasPart(errors, 'label')}
                onChange={(label) => update({ label: tx.edit(field.label, label) })}
              />
            </Labeled>
          ) : null}
          {field.type === 'geopoint' ? (
            <div className="gbfb-muted gbfb-sub" data-testid={`${kind}-geopoint-${loc}`}>
              Latitude and longitude in decimal degrees (required together), altitude and accuracy in metres (optional).
              The fill page offers "Use my location" and entry by hand; each part is stored in its own column.
            </div>
          ) : null}
          {field.type === 'signature' ? (
            <div className="gbfb-muted gbfb-sub" data-testid={`${kind}-signature-${loc}`}>
              Drawn in the fill page and stored as a PNG file of the submission (the answer holds its file id).
            </div>
          ) : null}
          <Labeled label="Help text" hint="Shown under the input.">
            <TextArea
              value={tx.show(field.help)}
              testId={`${kind}-help-${loc}`}
              invalid={hasPart(errors, 'help')}
              onChange={(help) => update({ help: tx.edit(field.help, help) })}
            />
          </Labeled>
          <RulesEditor
            type={field.type}
            rules={field.rules}
            inTable={inTable}
            errors={errors}
            testPrefix={`${kind}-${loc}`}
            onChange={(rules) => update({ rules })}
          />
          {isChoiceType(field.type) ? (
            <OptionsEditor
              options={field.options ?? []}
              errors={errors}
              testPrefix={`${kind}-${loc}`}
              onChange={(options) => update({ options })}
            />
          ) : null}
          {field.type === 'file' ? (
            <div className="gbfb-sub">
              <CheckInput
                label="Several files"
                checked={field.multiple === true}
                testId={`${kind}-multiple-${loc}`}
                onChange={(on) => update({ multiple: on ? true : undefined })}
              />
            </div>
          ) : null}
          {!inTable && isSearchable(field.type) ? (
            <div className="gbfb-sub">
              <CheckInput
                label="Searchable: the search box of the submission lists finds this answer"
                checked={field.searchable === true}
                testId={`${kind}-searchable-${loc}`}
                onChange={(on) => update({ searchable: on ? true : undefined })}
              />
            </div>
          ) : null}
          {!inTable && siblings ? (
            <ShowIfEditor
              field={field}
              siblings={siblings}
              errors={errors}
              testPrefix={`${kind}-${loc}`}
              onChange={(showIf) => update({ showIf })}
            />
          ) : null}
          <FieldExpressions field={field} inTable={inTable} testPrefix={`${kind}-${loc}`} onChange={update} />
          <div className="gbfb-muted" style={{ marginTop: 12 }}>
            Stable id <span className="gbfb-mono">{field.id}</span>: keeps the column when the key is renamed.
          </div>
        </div>
      ) : null}
    </div>
  );
});

/** The header line above a list of rows. */
export const RowsHead: React.FC = () => (
  <div className="gbfb-row head">
    <span />
    <span className="gbfb-label">Label</span>
    <span className="gbfb-label">Key</span>
    <span className="gbfb-label">Type</span>
    <span className="gbfb-label">Rules</span>
    <span />
  </div>
);
