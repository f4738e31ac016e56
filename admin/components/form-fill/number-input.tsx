import React, { useEffect, useState } from 'react';

/**
 * A number input that keeps what is being typed (`-`, `1.`) and reports a JS number, or null when
 * emptied: numbers go out as numbers, never as strings.
 */
export const NumberInput: React.FC<{
  value: unknown;
  onChange: (v: number | null) => void;
  integer: boolean;
  step?: number | 'any';
  min?: number;
  max?: number;
  id?: string;
  testId: string;
  className: string;
  disabled?: boolean;
}> = ({ value, onChange, integer, step, min, max, id, testId, className, disabled }) => {
  const current = typeof value === 'number' ? value : null;
  const [text, setText] = useState(current === null ? '' : String(current));
  // Follow outside changes (a reload, a removed row) without fighting the typing.
  useEffect(() => {
    if (text.trim() === '' ? current !== null : Number(text) !== current)
      setText(current === null ? '' : String(current));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current]);
  return (
    <input
      type="number"
      inputMode={integer ? 'numeric' : 'decimal'}
      id={id}
      className={className}
      value={text}
      disabled={disabled}
      step={step ?? (integer ? 1 : 'any')}
      min={min}
      max={max}
      data-testid={testId}
      onChange={(e) => {
        const raw = e.target.value;
        setText(raw);
        if (raw.trim() === '') return onChange(null);
        const n = Number(raw);
        if (Number.isFinite(n)) onChange(n);
      }}
    />
  );
};
