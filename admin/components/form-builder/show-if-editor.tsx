import React, { useEffect, useState } from 'react';
import { useDefaultText } from './language';
import type { ItemError } from './errors';
import { hasPart } from './errors';
import type { Field, ShowIf } from './types';
import { CheckInput, Field as Labeled, NumberInput, SelectInput, TextInput } from './ui';

type Value = string | number | boolean;

/** Types a condition may depend on (the server refuses the others: their values are lists or long). */
const CAN_DEPEND_ON = (f: Field) => f.type !== 'file' && f.type !== 'multiple_choice' && f.type !== 'long_text';

const defaultValue = (target: Field): Value =>
  target.type === 'boolean'
    ? true
    : target.type === 'single_choice'
      ? (target.options?.[0]?.value ?? '')
      : target.type === 'integer' || target.type === 'decimal'
        ? 0
        : '';

/** Converts typed text to the dependency's value type. */
const convert = (target: Field, raw: string): Value => {
  if (target.type === 'boolean') return raw === 'true';
  if (target.type === 'integer' || target.type === 'decimal')
    return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return raw;
};

/** A comma-separated list of values, kept as typed until it parses to something new. */
const ListInput: React.FC<{
  target: Field;
  value: Value[];
  onChange: (v: Value[]) => void;
  testId: string;
  invalid: boolean;
}> = ({ target, value, onChange, testId, invalid }) => {
  const shown = value.map(String).join(', ');
  const [text, setText] = useState(shown);
  const parse = (raw: string) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => convert(target, s));
  useEffect(() => {
    if (parse(text).map(String).join(',') !== value.map(String).join(',')) setText(shown);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);
  return (
    <TextInput
      value={text}
      testId={testId}
      invalid={invalid}
      placeholder="a, b, c"
      onChange={(raw) => {
        setText(raw);
        onChange(parse(raw));
      }}
    />
  );
};

export const ShowIfEditor: React.FC<{
  field: Field;
  siblings: Field[];
  errors: ItemError[];
  testPrefix: string;
  onChange: (v: ShowIf | undefined) => void;
}> = ({ field, siblings, errors, testPrefix, onChange }) => {
  const tx = useDefaultText();
  // An expression showIf is edited as text (ExpressionInput); this editor holds the object form.
  const showIf = typeof field.showIf === 'string' ? undefined : field.showIf;
  const candidates = siblings.filter((f) => f.id !== field.id && (CAN_DEPEND_ON(f) || f.id === showIf?.field));
  const target = showIf ? siblings.find((f) => f.id === showIf.field) : undefined;
  const mode: 'equals' | 'in' = showIf?.in !== undefined ? 'in' : 'equals';
  const invalid = hasPart(errors, 'showIf');

  const pickField = (id: string) => {
    const t = siblings.find((f) => f.id === id);
    onChange(t ? { field: t.id, equals: defaultValue(t) } : undefined);
  };
  const pickMode = (m: string) => {
    if (!showIf || !target) return;
    const current = showIf.in ?? (showIf.equals !== undefined ? [showIf.equals] : []);
    onChange(
      m === 'in'
        ? { field: showIf.field, in: current.length ? current : [defaultValue(target)] }
        : { field: showIf.field, equals: current[0] ?? defaultValue(target) },
    );
  };

  const valueInput = () => {
    if (!showIf || !target) return null;
    const testId = `${testPrefix}-showif-value`;
    if (mode === 'equals') {
      const value = showIf.equals ?? '';
      if (target.type === 'boolean' || target.type === 'single_choice') {
        const options =
          target.type === 'boolean'
            ? [
                { value: 'true', label: 'Yes' },
                { value: 'false', label: 'No' },
              ]
            : (target.options ?? []).map((o) => ({ value: o.value, label: tx.show(o.label) }));
        return (
          <SelectInput
            value={String(value)}
            options={options}
            testId={testId}
            invalid={invalid}
            onChange={(v) => onChange({ field: showIf.field, equals: convert(target, v) })}
          />
        );
      }
      if (target.type === 'integer' || target.type === 'decimal') {
        return (
          <NumberInput
            value={typeof value === 'number' ? value : undefined}
            testId={testId}
            invalid={invalid}
            onChange={(v) => onChange({ field: showIf.field, equals: v ?? 0 })}
          />
        );
      }
      return (
        <TextInput
          value={String(value)}
          testId={testId}
          invalid={invalid}
          onChange={(v) => onChange({ field: showIf.field, equals: v })}
        />
      );
    }
    const list = showIf.in ?? [];
    if (target.type === 'single_choice') {
      return (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 14px', paddingTop: 6 }} data-testid={testId}>
          {(target.options ?? []).map((o) => (
            <CheckInput
              key={o.value}
              label={tx.show(o.label)}
              checked={list.includes(o.value)}
              onChange={(on) => {
                const next = on ? [...list, o.value] : list.filter((v) => v !== o.value);
                onChange(next.length ? { field: showIf.field, in: next } : { field: showIf.field, equals: o.value });
              }}
            />
          ))}
        </div>
      );
    }
    return (
      <ListInput
        target={target}
        value={list}
        testId={testId}
        invalid={invalid}
        onChange={(v) => onChange(v.length ? { field: showIf.field, in: v } : { field: showIf.field, equals: '' })}
      />
    );
  };

  return (
    <div className="gbfb-sub">
      <div
        style={{
          display: 'grid',
          gridTemplateColumns: 'minmax(180px, 1.2fr) 150px minmax(180px, 1.5fr)',
          gap: 12,
          alignItems: 'end',
        }}
      >
        <Labeled label="Show only when">
          <SelectInput
            value={showIf?.field ?? ''}
            testId={`${testPrefix}-showif-field`}
            invalid={hasPart(errors, 'showIf.field')}
            onChange={pickField}
            options={[
              { value: '', label: '— always shown —' },
              ...candidates.map((f) => ({ value: f.id, label: `${f.label} (${f.key})` })),
              ...(showIf && !target ? [{ value: showIf.field, label: `missing field ${showIf.field}` }] : []),
            ]}
          />
        </Labeled>
        {showIf && target ? (
          <Labeled label="Condition">
            <SelectInput
              value={mode}
              testId={`${testPrefix}-showif-mode`}
              onChange={pickMode}
              options={
                target.type === 'boolean'
                  ? [{ value: 'equals', label: 'is' }]
                  : [
                      { value: 'equals', label: 'equals' },
                      { value: 'in', label: 'is one of' },
                    ]
              }
            />
          </Labeled>
        ) : (
          <div />
        )}
        {showIf && target ? <Labeled label="Value">{valueInput()}</Labeled> : <div />}
      </div>
      {showIf && !target ? (
        <div className="gbfb-error">Depends on a field that is no longer in this section.</div>
      ) : null}
    </div>
  );
};
