import React, { createContext, useContext, useEffect, useRef, useState } from 'react';
import { Icon } from '@adminjs/design-system';
import type { ItemError } from './errors';

/**
 * Small form controls for the builder. Native elements: they are light (a template may show
 * thousands of them), easy to drive from tests, and styled by the one stylesheet below. They read
 * the read-only flag from context, so no row needs it as a prop.
 */

export const ReadOnly = createContext(false);

export const STYLES = `
.gbfb { color: #0C1E29; font-size: 14px; }
.gbfb * { box-sizing: border-box; }
.gbfb-input { height: 32px; padding: 0 8px; border: 1px solid #BBC3CB; border-radius: 4px; font: inherit; font-size: 13px;
  background: #fff; color: inherit; width: 100%; min-width: 0; }
.gbfb-input:focus { outline: none; border-color: #3040D6; box-shadow: 0 0 0 2px #DDE2F9; }
.gbfb-input:disabled { background: #F8F9F9; color: #454655; }
.gbfb-input.invalid { border-color: #C20012; box-shadow: 0 0 0 1px #F9E5E7; }
textarea.gbfb-input { height: auto; padding: 6px 8px; line-height: 1.45; resize: vertical; }
select.gbfb-input { padding-right: 4px; }
.gbfb-mono, .gbfb-input.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.gbfb-check { display: inline-flex; align-items: center; gap: 6px; font-size: 13px; cursor: pointer; user-select: none; }
.gbfb-check input { width: 15px; height: 15px; margin: 0; accent-color: #3040D6; }
.gbfb-icon-btn { display: inline-flex; align-items: center; justify-content: center; width: 28px; height: 28px; padding: 0;
  border: 1px solid transparent; border-radius: 4px; background: transparent; color: #454655; cursor: pointer; }
.gbfb-icon-btn:hover:not(:disabled) { background: #F2F2F2; border-color: #EEEEEF; }
.gbfb-icon-btn.danger:hover:not(:disabled) { color: #C20012; background: #F9E5E7; }
.gbfb-icon-btn.on { color: #3040D6; background: #DDE2F9; }
.gbfb-icon-btn:disabled { opacity: .35; cursor: default; }
.gbfb-link-btn { display: inline-flex; align-items: center; gap: 4px; border: 1px dashed #BBC3CB; border-radius: 4px; background: #fff;
  color: #3040D6; font: inherit; font-size: 13px; padding: 6px 12px; cursor: pointer; }
.gbfb-link-btn:hover:not(:disabled) { border-color: #3040D6; background: #F5F7FF; }
.gbfb-link-btn:disabled { opacity: .5; cursor: default; }
.gbfb-label { display: block; font-size: 11px; font-weight: 500; text-transform: uppercase; letter-spacing: .05em; color: #898A9A; margin-bottom: 4px; }
.gbfb-muted { color: #898A9A; font-size: 12px; }
.gbfb-error { color: #C20012; font-size: 12px; line-height: 1.4; }
.gbfb-errors { list-style: none; margin: 4px 0 0; padding: 0; }
.gbfb-card { background: #fff; border: 1px solid #E4E6EB; border-radius: 6px; box-shadow: 0 1px 2px rgba(12,30,41,.05); }
.gbfb-tabs { display: flex; border-bottom: 2px solid #EEEEEF; margin: 0 0 16px; }
.gbfb-tab { background: none; border: none; border-bottom: 2px solid transparent; margin-bottom: -2px; padding: 10px 18px; cursor: pointer;
  color: #898A9A; font: inherit; font-size: 14px; }
.gbfb-tab:hover { color: #454655; }
.gbfb-tab.active { color: #3040D6; border-color: #3040D6; }
.gbfb-section { margin-bottom: 16px; }
.gbfb-section.has-error { border-color: #E8A0A7; }
.gbfb-section-head { display: flex; align-items: center; gap: 10px; padding: 10px 12px; cursor: pointer; border-radius: 6px 6px 0 0; }
.gbfb-section-head:hover { background: #FBFBFB; }
.gbfb-section-body { border-top: 1px solid #EEEEEF; padding: 12px 16px 16px; }
.gbfb-rows { border: 1px solid #EEEEEF; border-radius: 4px; }
.gbfb-row { display: grid; grid-template-columns: 28px minmax(150px, 2fr) minmax(130px, 1.5fr) 150px 92px 128px; gap: 8px; align-items: center;
  padding: 6px 8px; border-bottom: 1px solid #F2F2F2; background: #fff; }
.gbfb-row:last-child { border-bottom: none; }
.gbfb-row.head { background: #FBFBFB; padding-top: 6px; padding-bottom: 6px; }
.gbfb-row.head .gbfb-label { margin: 0; }
.gbfb-row.has-error { background: #FFF7F8; }
.gbfb-row-num { color: #898A9A; font-size: 12px; text-align: right; }
.gbfb-row-actions { display: flex; justify-content: flex-end; gap: 2px; }
.gbfb-item-errors { grid-column: 2 / -1; }
.gbfb-details { grid-column: 2 / -1; padding: 12px; margin: 4px 0 4px; background: #FBFBFB; border: 1px solid #EEEEEF; border-radius: 4px; }
.gbfb-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; }
.gbfb-sub { margin-top: 12px; }
.gbfb-pre { background: #F6F6FB; border: 1px solid #EEEEF6; padding: 10px 12px; border-radius: 4px; overflow: auto; font-size: 12px; margin: 4px 0 10px;
  white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.gbfb-pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11px; background: #F2F2F2; color: #454655; white-space: nowrap; }
.gbfb-pill.blue { background: #DDE2F9; color: #3040D6; }
.gbfb-pill.green { background: #E5F2F2; color: #007D7F; }
.gbfb-pill.red { background: #F9E5E7; color: #C20012; }
.gbfb-pill.amber { background: #F6EDE8; color: #A14F17; }
.gbfb-table { width: 100%; border-collapse: collapse; font-size: 13px; }
.gbfb-table th { text-align: left; font-weight: 500; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: #898A9A;
  padding: 6px 8px; border-bottom: 1px solid #EEEEEF; }
.gbfb-table td { padding: 6px 8px; border-bottom: 1px solid #F2F2F2; vertical-align: top; }
`;

type Common = {
  testId?: string;
  invalid?: boolean;
  className?: string;
  title?: string;
  placeholder?: string;
  'aria-label'?: string;
};
const cls = (base: string, extra?: string, invalid?: boolean) =>
  [base, extra, invalid ? 'invalid' : ''].filter(Boolean).join(' ');

export const TextInput: React.FC<
  Common & { value: string; onChange: (v: string) => void; type?: string; autoFocus?: boolean; mono?: boolean }
> = ({ value, onChange, testId, invalid, className, type = 'text', autoFocus, mono, ...rest }) => {
  const readOnly = useContext(ReadOnly);
  const ref = useRef<HTMLInputElement>(null);
  // autoFocus selects the text too: a new item's placeholder label is meant to be typed over.
  useEffect(() => {
    if (!autoFocus || !ref.current) return;
    ref.current.focus();
    ref.current.select();
  }, [autoFocus]);
  return (
    <input
      ref={ref}
      type={type}
      className={cls('gbfb-input', [className, mono ? 'mono' : ''].join(' ').trim(), invalid)}
      value={value}
      disabled={readOnly}
      data-testid={testId}
      onChange={(e) => onChange(e.target.value)}
      {...rest}
    />
  );
};

export const TextArea: React.FC<
  Common & { value: string; onChange: (v: string) => void; rows?: number; mono?: boolean }
> = ({ value, onChange, testId, invalid, className, rows = 2, mono, ...rest }) => {
  const readOnly = useContext(ReadOnly);
  return (
    <textarea
      className={cls('gbfb-input', [className, mono ? 'mono' : ''].join(' ').trim(), invalid)}
      rows={rows}
      value={value}
      disabled={readOnly}
      data-testid={testId}
      onChange={(e) => onChange(e.target.value)}
      {...rest}
    />
  );
};

/**
 * A number input that keeps what is being typed (`-`, `1.`) locally and reports a number (or
 * undefined when emptied) only when the text parses.
 */
export const NumberInput: React.FC<
  Common & { value: number | undefined; onChange: (v: number | undefined) => void; integer?: boolean; min?: number }
> = ({ value, onChange, integer, testId, invalid, className, min, ...rest }) => {
  const readOnly = useContext(ReadOnly);
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => {
    if (Number(text) !== value || text.trim() === '') setText(value === undefined ? '' : String(value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  const change = (raw: string) => {
    setText(raw);
    if (raw.trim() === '') return onChange(undefined);
    const n = Number(raw);
    if (Number.isFinite(n) && (!integer || Number.isInteger(n))) onChange(n);
  };
  return (
    <input
      type="number"
      step={integer ? 1 : 'any'}
      min={min}
      className={cls('gbfb-input', className, invalid)}
      value={text}
      disabled={readOnly}
      data-testid={testId}
      onChange={(e) => change(e.target.value)}
      {...rest}
    />
  );
};

export const SelectInput: React.FC<
  Common & { value: string; onChange: (v: string) => void; options: { value: string; label: string }[] }
> = ({ value, onChange, options, testId, invalid, className, ...rest }) => {
  const readOnly = useContext(ReadOnly);
  return (
    <select
      className={cls('gbfb-input', className, invalid)}
      value={value}
      disabled={readOnly}
      data-testid={testId}
      onChange={(e) => onChange(e.target.value)}
      {...rest}
    >
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
};

export const CheckInput: React.FC<{
  checked: boolean;
  onChange: (v: boolean) => void;
  label: React.ReactNode;
  testId?: string;
  title?: string;
}> = ({ checked, onChange, label, testId, title }) => {
  const readOnly = useContext(ReadOnly);
  return (
    <label className="gbfb-check" title={title}>
      <input
        type="checkbox"
        checked={checked}
        disabled={readOnly}
        data-testid={testId}
        onChange={(e) => onChange(e.target.checked)}
      />
      {label}
    </label>
  );
};

/** A square icon button; edit buttons (`edits`) are disabled when the page is read-only. */
export const IconButton: React.FC<{
  icon: string;
  title: string;
  onClick: () => void;
  testId?: string;
  disabled?: boolean;
  danger?: boolean;
  on?: boolean;
  edits?: boolean;
}> = ({ icon, title, onClick, testId, disabled, danger, on, edits = true }) => {
  const readOnly = useContext(ReadOnly);
  if (edits && readOnly) return null;
  return (
    <button
      type="button"
      className={['gbfb-icon-btn', danger ? 'danger' : '', on ? 'on' : ''].join(' ')}
      title={title}
      aria-label={title}
      data-testid={testId}
      disabled={disabled}
      onClick={(e) => {
        e.stopPropagation();
        onClick();
      }}
    >
      <Icon icon={icon} size={15} />
    </button>
  );
};

export const AddButton: React.FC<{ label: string; onClick: () => void; testId?: string }> = ({
  label,
  onClick,
  testId,
}) => {
  const readOnly = useContext(ReadOnly);
  if (readOnly) return null;
  return (
    <button type="button" className="gbfb-link-btn" data-testid={testId} onClick={onClick}>
      <Icon icon="Plus" size={14} /> {label}
    </button>
  );
};

export const Field: React.FC<React.PropsWithChildren<{ label: string; hint?: string }>> = ({
  label,
  hint,
  children,
}) => (
  <div>
    <span className="gbfb-label">{label}</span>
    {children}
    {hint ? (
      <div className="gbfb-muted" style={{ marginTop: 3 }}>
        {hint}
      </div>
    ) : null}
  </div>
);

export const ItemErrors: React.FC<{ errors: ItemError[]; testId?: string; className?: string }> = ({
  errors,
  testId,
  className,
}) =>
  errors.length ? (
    <ul className={['gbfb-errors', className].filter(Boolean).join(' ')} data-testid={testId}>
      {errors.map((e, i) => (
        <li key={i} className="gbfb-error">
          {e.part ? <span className="gbfb-mono">{e.part}: </span> : null}
          {e.message}
        </li>
      ))}
    </ul>
  ) : null;
