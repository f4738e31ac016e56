import React from 'react';
import { FilesInput } from './files-input';
import { GeopointInput } from './geopoint-input';
import { NumberInput } from './number-input';
import { SignatureInput } from './signature-input';
import { useText } from './text';
import type { Field } from './types';
import { fromLocalInput, toLocalInput } from './values';

/** One input fitting a field's type; `compact` in table cells. */

export interface InputProps {
  field: Field;
  /** `section.field`, for file uploads. */
  fieldPath?: string;
  value: unknown;
  onChange: (v: unknown) => void;
  testId: string;
  id?: string;
  invalid?: boolean;
  disabled?: boolean;
  compact?: boolean;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const nullIfEmpty = (v: string) => (v === '' ? null : v);

export const FieldInput: React.FC<InputProps> = ({
  field,
  fieldPath,
  value,
  onChange,
  testId,
  id,
  invalid,
  disabled,
  compact,
}) => {
  const t = useText();
  const cls = ['gbff-input', compact ? 'compact' : '', invalid ? 'invalid' : ''].filter(Boolean).join(' ');
  const rules = field.rules ?? {};
  const common = { id, className: cls, disabled, 'data-testid': testId, 'aria-invalid': invalid || undefined };
  switch (field.type) {
    // Computed by the rules engine from the answer as it is typed (the server computes it again at the door).
    case 'calculated':
      return (
        <output
          id={id}
          className={`${cls} gbff-calculated`}
          data-testid={testId}
          aria-readonly="true"
          aria-live="polite"
          title={t.calculated}
        >
          {value === undefined || value === null
            ? '—'
            : typeof value === 'boolean'
              ? value
                ? t.yes
                : t.no
              : String(value)}
        </output>
      );
    case 'long_text':
      return (
        <textarea
          {...common}
          rows={compact ? 1 : 4}
          value={str(value)}
          maxLength={rules.maxLength}
          onChange={(e) => onChange(nullIfEmpty(e.target.value))}
        />
      );
    case 'integer':
    case 'decimal':
      return (
        <NumberInput
          id={id}
          className={cls}
          disabled={disabled}
          testId={testId}
          value={value}
          onChange={onChange}
          integer={field.type === 'integer'}
          step={field.type === 'decimal' && rules.scale !== undefined ? 10 ** -rules.scale : undefined}
          min={typeof rules.min === 'number' ? rules.min : undefined}
          max={typeof rules.max === 'number' ? rules.max : undefined}
        />
      );
    case 'boolean':
      return (
        <label className="gbff-check">
          <input
            type="checkbox"
            id={id}
            checked={value === true}
            disabled={disabled}
            data-testid={testId}
            onChange={(e) => onChange(e.target.checked)}
          />
          {compact ? null : t.yes}
        </label>
      );
    case 'single_choice':
      return (
        <select {...common} value={str(value)} onChange={(e) => onChange(nullIfEmpty(e.target.value))}>
          <option value="">{t.choose}</option>
          {(field.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case 'multiple_choice': {
      const list = Array.isArray(value) ? (value as string[]) : [];
      return (
        <div className="gbff-choices" id={id} data-testid={testId} role="group">
          {(field.options ?? []).map((o) => (
            <label key={o.value} className="gbff-check">
              <input
                type="checkbox"
                checked={list.includes(o.value)}
                disabled={disabled}
                data-testid={`${testId}-${o.value}`}
                onChange={(e) => onChange(e.target.checked ? [...list, o.value] : list.filter((v) => v !== o.value))}
              />
              {o.label}
            </label>
          ))}
        </div>
      );
    }
    case 'geopoint':
      return (
        <GeopointInput
          value={value}
          onChange={onChange}
          testId={testId}
          id={id}
          invalid={invalid}
          disabled={disabled}
        />
      );
    case 'signature':
      return (
        <SignatureInput
          fieldPath={fieldPath ?? field.key}
          value={value}
          onChange={onChange}
          testId={testId}
          disabled={disabled}
        />
      );
    // Display-only: its text is the label (FieldRow shows it); nothing to enter.
    case 'note':
      return null;
    case 'file':
      return (
        <FilesInput
          field={field}
          fieldPath={fieldPath ?? field.key}
          value={value}
          onChange={onChange}
          testId={testId}
          disabled={disabled}
        />
      );
    case 'datetime':
      return (
        <input
          {...common}
          type="datetime-local"
          value={toLocalInput(value)}
          onChange={(e) => onChange(fromLocalInput(e.target.value))}
        />
      );
    case 'date':
      return (
        <input
          {...common}
          type="date"
          value={str(value)}
          onChange={(e) => onChange(nullIfEmpty(e.target.value))}
          min={typeof rules.min === 'string' ? rules.min : undefined}
          max={typeof rules.max === 'string' ? rules.max : undefined}
        />
      );
    case 'time':
      return (
        <input {...common} type="time" value={str(value)} onChange={(e) => onChange(nullIfEmpty(e.target.value))} />
      );
    default: {
      // text, email, url
      const type = field.type === 'email' ? 'email' : field.type === 'url' ? 'url' : 'text';
      return (
        <input
          {...common}
          type={type}
          value={str(value)}
          maxLength={rules.maxLength}
          placeholder={field.type === 'url' ? 'https://' : undefined}
          onChange={(e) => onChange(nullIfEmpty(e.target.value))}
        />
      );
    }
  }
};
