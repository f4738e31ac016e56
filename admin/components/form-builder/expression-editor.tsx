import React, { createContext, useContext, useMemo, useRef, useState } from 'react';
import { useDefaultText } from './language';
import { expressionProblemList } from './expression-check';
import { indexErrors, NO_ITEM_ERRORS, type ItemError } from './errors';
import { completeReference, filterSuggestions, keySuggestions, referenceAt } from './key-suggestions';
import type { Definition, Field } from './types';
import { Field as Labeled, ReadOnly, SelectInput, TextInput } from './ui';

/**
 * Expressions typed as text (showIf, required, constraints, calculations, defaults), each with the
 * message of the checker the server runs at save and publish (src/rules/expressions), under it,
 * as the builder types. The check runs once per change of the definition, not per input.
 */

/** The checker's problems by item id, each with its part (`showIf`, `constraints[0].expression`). */
export const ExpressionProblems = createContext<ReadonlyMap<string, ItemError[]>>(new Map());

/** The definition being edited, for the keys an expression input suggests after `${`. */
export const ExpressionDefinition = createContext<Definition | null>(null);

export function expressionProblems(definition: Definition): ReadonlyMap<string, ItemError[]> {
  const problems = expressionProblemList(definition);
  return problems.length ? indexErrors(definition, problems).byItem : new Map();
}

const RESULT_TYPES = ['decimal', 'integer', 'text', 'boolean', 'date'].map((t) => ({ value: t, label: t }));

export const AUTOCOMPLETE_STYLES = `
.gbfb-ac { position: relative; }
.gbfb-ac-list { position: absolute; z-index: 20; left: 0; right: 0; top: 100%; margin: 2px 0 0; padding: 4px 0; list-style: none; background: #fff;
  border: 1px solid #BBC3CB; border-radius: 4px; box-shadow: 0 4px 12px rgba(12,30,41,.12); max-height: 240px; overflow: auto; }
.gbfb-ac-item { display: flex; gap: 8px; align-items: baseline; padding: 4px 10px; cursor: pointer; font-size: 13px; }
.gbfb-ac-item.active, .gbfb-ac-item:hover { background: #DDE2F9; }
.gbfb-ac-item code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: #3040D6; }
.gbfb-ac-item span { color: #454655; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.gbfb-ac-item em { margin-left: auto; color: #898A9A; font-style: normal; font-size: 11px; }
`;

/**
 * An expression, typed as text. Typing `${` opens the keys the expression can reference from
 * where it is (key-suggestions.ts), filtered by what follows; arrows move, Enter or Tab (or a
 * click) completes `${key}`, Escape closes.
 */
export const ExpressionInput: React.FC<{
  label: string;
  hint?: string;
  value: string;
  itemId: string;
  part: string;
  testId: string;
  placeholder?: string;
  onChange: (v: string) => void;
}> = ({ label, hint, value, itemId, part, testId, placeholder, onChange }) => {
  const problems = (useContext(ExpressionProblems).get(itemId) ?? NO_ITEM_ERRORS).filter((e) => e.part === part);
  const definition = useContext(ExpressionDefinition);
  const readOnly = useContext(ReadOnly);
  const ref = useRef<HTMLInputElement>(null);
  const [typed, setTyped] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  // The keys are listed once per suggesting session, not again for every letter typed.
  const suggesting = typed !== null;
  const all = useMemo(
    () => (suggesting && definition ? keySuggestions(definition, itemId) : []),
    [suggesting, definition, itemId],
  );
  const shown = typed === null ? [] : filterSuggestions(all, typed);
  const open = shown.length > 0;

  /** Whether the caret is in a `${...` being typed, and what is typed there. */
  const follow = (input: HTMLInputElement) => {
    const at = referenceAt(input.value, input.selectionStart ?? input.value.length);
    setTyped(at ? at.typed : null);
    setActive(0);
  };
  const pick = (refText: string) => {
    const input = ref.current;
    if (!input) return;
    const done = completeReference(input.value, input.selectionStart ?? input.value.length, refText);
    if (!done) return;
    onChange(done.value);
    setTyped(null);
    // After React has written the new value: the caret after the completed reference.
    requestAnimationFrame(() => {
      input.focus();
      input.setSelectionRange(done.caret, done.caret);
    });
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (!open) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      pick(shown[Math.min(active, shown.length - 1)]!.ref);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setTyped(null);
    }
  };
  return (
    <Labeled label={label} hint={hint}>
      <div className="gbfb-ac">
        <input
          ref={ref}
          type="text"
          className={['gbfb-input', 'mono', problems.length ? 'invalid' : ''].filter(Boolean).join(' ')}
          value={value}
          placeholder={placeholder}
          disabled={readOnly}
          data-testid={testId}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={`${testId}-suggestions`}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            onChange(e.target.value);
            follow(e.target);
          }}
          onKeyDown={onKeyDown}
          onClick={(e) => follow(e.currentTarget)}
          onBlur={() => setTyped(null)}
        />
        {open ? (
          <ul
            className="gbfb-ac-list"
            role="listbox"
            id={`${testId}-suggestions`}
            data-testid={`${testId}-suggestions`}
          >
            {shown.map((s, i) => (
              <li
                key={s.ref}
                role="option"
                aria-selected={i === active}
                className={`gbfb-ac-item${i === active ? ' active' : ''}`}
                data-testid={`${testId}-suggestion`}
                data-ref={s.ref}
                // mousedown, not click: the input's blur (which closes the list) comes before a click.
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(s.ref);
                }}
              >
                <code>{`\${${s.ref}}`}</code>
                <span>{s.label}</span>
                <em>{s.type}</em>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {problems.map((p, i) => (
        <div key={i} className="gbfb-error" data-testid={`${testId}-error`}>
          {p.message}
        </div>
      ))}
    </Labeled>
  );
};

type Patch = Partial<Field>;
type Constraints = NonNullable<Field['constraints']>;

/** The constraints of a field, a column, a table or a section: each an expression and the message when it does not hold. */
export const ConstraintsEditor: React.FC<{
  itemId: string;
  constraints: Constraints | undefined;
  testPrefix: string;
  hint: string;
  onChange: (next: Constraints | undefined) => void;
}> = ({ itemId, constraints = [], testPrefix, hint, onChange }) => {
  const set = (next: Constraints) => onChange(next.length ? next : undefined);
  const tx = useDefaultText();
  return (
    <div data-testid={`${testPrefix}-constraints`}>
      {constraints.map((c, k) => (
        <div key={k} data-testid={`${testPrefix}-constraint-${k}`}>
          <ExpressionInput
            label={`Constraint ${k + 1}`}
            hint={hint}
            value={c.expression}
            itemId={itemId}
            part={`constraints[${k}].expression`}
            testId={`${testPrefix}-constraint-${k}-expression`}
            onChange={(v) => set(constraints.map((x, i) => (i === k ? { ...x, expression: v } : x)))}
          />
          <Labeled label="Message when it does not hold">
            <TextInput
              value={tx.show(c.message)}
              testId={`${testPrefix}-constraint-${k}-message`}
              onChange={(v) => set(constraints.map((x, i) => (i === k ? { ...x, message: tx.edit(x.message, v) } : x)))}
            />
          </Labeled>
          <button
            type="button"
            className="gbfb-link-btn"
            data-testid={`${testPrefix}-constraint-${k}-remove`}
            onClick={() => set(constraints.filter((_, i) => i !== k))}
          >
            Remove constraint
          </button>
        </div>
      ))}
      <button
        type="button"
        className="gbfb-link-btn"
        data-testid={`${testPrefix}-constraint-add`}
        onClick={() => set([...constraints, { expression: '', message: '' }])}
      >
        + Add constraint
      </button>
    </div>
  );
};

/** The expressions of one field or column. */
export const FieldExpressions: React.FC<{
  field: Field;
  inTable: boolean;
  testPrefix: string;
  onChange: (patch: Patch) => void;
}> = ({ field, inTable, testPrefix, onChange }) => {
  const calculated = field.type === 'calculated';
  return (
    <div className="gbfb-sub" data-testid={`${testPrefix}-expressions`}>
      {calculated ? (
        <>
          <Labeled label="Result type">
            <SelectInput
              value={field.resultType ?? ''}
              testId={`${testPrefix}-result-type`}
              options={[{ value: '', label: 'choose…' }, ...RESULT_TYPES]}
              onChange={(v) => onChange({ resultType: (v || undefined) as Field['resultType'] })}
            />
          </Labeled>
          <ExpressionInput
            label="Calculation"
            hint="Computed by the server from the answer, e.g. ${adults} + ${children}"
            value={field.expression ?? ''}
            itemId={field.id}
            part="expression"
            testId={`${testPrefix}-expression`}
            onChange={(v) => onChange({ expression: v || undefined })}
          />
        </>
      ) : field.type !== 'file' ? (
        <ExpressionInput
          label="Default"
          hint="Fills the answer when it is left out, e.g. today() or 'none'"
          value={field.default ?? ''}
          itemId={field.id}
          part="default"
          testId={`${testPrefix}-default`}
          onChange={(v) => onChange({ default: v || undefined })}
        />
      ) : null}
      {!inTable ? (
        <ExpressionInput
          label="Show if (expression)"
          hint={typeof field.showIf === 'object' ? 'Typing here replaces the condition above' : 'e.g. ${age} < 18'}
          value={typeof field.showIf === 'string' ? field.showIf : ''}
          itemId={field.id}
          part="showIf"
          testId={`${testPrefix}-showif-expression`}
          onChange={(v) =>
            v ? onChange({ showIf: v }) : typeof field.showIf === 'string' ? onChange({ showIf: undefined }) : undefined
          }
        />
      ) : null}
      {!calculated ? (
        <ExpressionInput
          label="Required if (expression)"
          hint="e.g. ${total} > 3; the Required box makes it always required"
          value={typeof field.rules?.required === 'string' ? field.rules.required : ''}
          itemId={field.id}
          part="rules.required"
          testId={`${testPrefix}-required-expression`}
          onChange={(v) =>
            onChange({ rules: { ...field.rules, required: v ? v : field.rules?.required === true ? true : undefined } })
          }
        />
      ) : null}
      <ConstraintsEditor
        itemId={field.id}
        constraints={field.constraints}
        testPrefix={testPrefix}
        hint={
          inTable ? 'Must hold for each row, e.g. ${qty} <= 10' : 'Must hold once answered, e.g. ${end} >= ${start}'
        }
        onChange={(constraints) => onChange({ constraints })}
      />
    </div>
  );
};
