import React from 'react';
import { FieldInput } from './field-input';
import { useText } from './text';
import type { Field } from './types';

/** A field with its label, required marker, help and errors. */

export const Required: React.FC<{ on?: boolean }> = ({ on }) => {
  const t = useText();
  return on ? (
    <span className="gbff-req" title={t.required} data-testid="required-marker">
      *
    </span>
  ) : null;
};

export const FieldErrors: React.FC<{ messages: string[] | undefined; testId?: string }> = ({ messages, testId }) =>
  messages?.length ? (
    <div className="gbff-error" role="alert" data-testid={testId}>
      {messages.join('; ')}
    </div>
  ) : null;

export const FieldRow: React.FC<{
  field: Field;
  sectionKey: string;
  value: unknown;
  onChange: (v: unknown) => void;
  errors: string[] | undefined;
  disabled: boolean;
}> = ({ field, sectionKey, value, onChange, errors, disabled }) => {
  const testId = `input-${sectionKey}-${field.key}`;
  const domId = `ff-${sectionKey}-${field.key}`;
  // A note is display-only text: its label, rendered as text (React escapes it), no input.
  if (field.type === 'note') {
    return (
      <div className="gbff-note" data-testid={`field-${sectionKey}-${field.key}`} role="note">
        {field.label}
        {field.help ? <div className="gbff-help">{field.help}</div> : null}
      </div>
    );
  }
  const wide = field.type === 'long_text' || field.type === 'multiple_choice' || field.type === 'geopoint';
  return (
    <div className={`gbff-field${wide ? ' wide' : ''}`} data-testid={`field-${sectionKey}-${field.key}`}>
      {field.type === 'boolean' || field.type === 'geopoint' || field.type === 'signature' ? (
        <div className="gbff-label">
          {field.label}
          <Required on={field.rules?.required === true} />
        </div>
      ) : (
        <label className="gbff-label" htmlFor={domId}>
          {field.label}
          <Required on={field.rules?.required === true} />
        </label>
      )}
      <FieldInput
        field={field}
        fieldPath={`${sectionKey}.${field.key}`}
        value={value}
        onChange={onChange}
        testId={testId}
        id={domId}
        invalid={!!errors?.length}
        disabled={disabled}
      />
      {field.help ? <div className="gbff-help">{field.help}</div> : null}
      <FieldErrors messages={errors} testId={`error-${sectionKey}-${field.key}`} />
    </div>
  );
};
