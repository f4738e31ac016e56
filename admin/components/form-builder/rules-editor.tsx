import React, { useEffect, useState } from 'react';
import { rulesOf } from './naming';
import type { ItemError } from './errors';
import { hasPart } from './errors';
import type { FieldType, Rules } from './types';
import { CheckInput, Field, NumberInput, TextInput } from './ui';

/**
 * The rules of one field: only those FIELD_TYPE_SPECS lists for its type (`required` is in the
 * row itself). Emptying an input removes the rule.
 */

type RuleName = keyof Rules;

const LABELS: Partial<Record<RuleName, string>> = {
  min: 'Minimum',
  max: 'Maximum',
  minLength: 'Min length',
  maxLength: 'Max length',
  pattern: 'Pattern (regex)',
  minItems: 'Min items',
  maxItems: 'Max items',
  accept: 'Accepted types',
  maxSize: 'Max size (bytes)',
  scale: 'Decimal places',
};

/** A comma-separated list (MIME types), kept as typed until it parses to something new. */
const ListInput: React.FC<{
  value: string[] | undefined;
  onChange: (v: string[] | undefined) => void;
  testId: string;
  invalid: boolean;
}> = ({ value, onChange, testId, invalid }) => {
  const [text, setText] = useState((value ?? []).join(', '));
  const parse = (raw: string) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  useEffect(() => {
    if (parse(text).join(',') !== (value ?? []).join(',')) setText((value ?? []).join(', '));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <TextInput
      value={text}
      testId={testId}
      invalid={invalid}
      placeholder="image/*, application/pdf"
      onChange={(raw) => {
        setText(raw);
        const list = parse(raw);
        onChange(list.length ? list : undefined);
      }}
    />
  );
};

export const RulesEditor: React.FC<{
  type: FieldType;
  rules: Rules | undefined;
  inTable: boolean;
  errors: ItemError[];
  testPrefix: string;
  onChange: (rules: Rules) => void;
}> = ({ type, rules = {}, inTable, errors, testPrefix, onChange }) => {
  const set = <K extends RuleName>(name: K, value: Rules[K] | undefined) => {
    const next = { ...rules };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next);
  };
  const names = rulesOf(type, inTable).filter((r) => r !== 'required' && r !== 'unique');
  const unique = rulesOf(type, inTable).includes('unique');
  const numeric = type === 'integer' || type === 'decimal';

  const input = (name: RuleName) => {
    const testId = `${testPrefix}-rule-${name}`;
    const invalid = hasPart(errors, `rules.${name}`);
    const value = rules[name];
    switch (name) {
      case 'min':
      case 'max':
        if (numeric) {
          return (
            <NumberInput
              value={typeof value === 'number' ? value : undefined}
              integer={type === 'integer'}
              testId={testId}
              invalid={invalid}
              onChange={(v) => set(name, v)}
            />
          );
        }
        return (
          <TextInput
            type={type === 'date' ? 'date' : 'text'}
            value={typeof value === 'string' ? value : ''}
            testId={testId}
            invalid={invalid}
            placeholder={type === 'datetime' ? '2025-01-31T00:00:00Z' : undefined}
            mono={type === 'datetime'}
            onChange={(v) => set(name, v === '' ? undefined : v)}
          />
        );
      case 'pattern':
        return (
          <TextInput
            mono
            value={rules.pattern ?? ''}
            testId={testId}
            invalid={invalid}
            placeholder="^[A-Z]{2}[0-9]+$"
            onChange={(v) => set('pattern', v === '' ? undefined : v)}
          />
        );
      case 'accept':
        return <ListInput value={rules.accept} testId={testId} invalid={invalid} onChange={(v) => set('accept', v)} />;
      default:
        return (
          <NumberInput
            integer
            min={0}
            value={typeof value === 'number' ? value : undefined}
            testId={testId}
            invalid={invalid}
            onChange={(v) => set(name, v)}
          />
        );
    }
  };

  if (!names.length && !unique) return null;
  return (
    <div className="gbfb-sub">
      <div className="gbfb-grid">
        {names.map((name) => (
          <Field key={name} label={LABELS[name] ?? name}>
            {input(name)}
          </Field>
        ))}
      </div>
      {unique ? (
        <div style={{ marginTop: 10 }}>
          <CheckInput
            checked={rules.unique === true}
            testId={`${testPrefix}-rule-unique`}
            label="Unique: no two submissions may share a value"
            onChange={(v) => set('unique', v ? true : undefined)}
          />
        </div>
      ) : null}
    </div>
  );
};
