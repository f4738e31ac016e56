import React, { createContext, useContext } from 'react';
import { useDefaultText } from './language';
import { expressionProblemList } from './expression-check';
import { indexErrors, NO_ITEM_ERRORS, type ItemError } from './errors';
import type { Definition, Field } from './types';
import { Field as Labeled, SelectInput, TextInput } from './ui';

/**
 * Expressions typed as text (showIf, required, constraints, calculations, defaults), each with the
 * message of the checker the server runs at save and publish (src/rules/expressions), under it,
 * as the builder types. The check runs once per change of the definition, not per input.
 */

/** The checker's problems by item id, each with its part (`showIf`, `constraints[0].expression`). */
export const ExpressionProblems = createContext<ReadonlyMap<string, ItemError[]>>(new Map());

export function expressionProblems(definition: Definition): ReadonlyMap<string, ItemError[]> {
  const problems = expressionProblemList(definition);
  return problems.length ? indexErrors(definition, problems).byItem : new Map();
}

const RESULT_TYPES = ['decimal', 'integer', 'text', 'boolean', 'date'].map((t) => ({ value: t, label: t }));

export const ExpressionInput: React.FC<{ label: string; hint?: string; value: string; itemId: string; part: string; testId: string; placeholder?: string; onChange: (v: string) => void }> = ({
  label, hint, value, itemId, part, testId, placeholder, onChange,
}) => {
  const problems = (useContext(ExpressionProblems).get(itemId) ?? NO_ITEM_ERRORS).filter((e) => e.part === part);
  return (
    <Labeled label={label} hint={hint}>
      <TextInput mono value={value} testId={testId} placeholder={placeholder} invalid={problems.length > 0} onChange={onChange} />
      {problems.map((p, i) => (
        <div key={i} className="gbfb-error" data-testid={`${testId}-error`}>{p.message}</div>
      ))}
    </Labeled>
  );
};

type Patch = Partial<Field>;
type Constraints = NonNullable<Field['constraints']>;

/** The constraints of a field, a column, a table or a section: each an expression and the message when it does not hold. */
export const ConstraintsEditor: React.FC<{ itemId: string; constraints: Constraints | undefined; testPrefix: string; hint: string; onChange: (next: Constraints | undefined) => void }> = ({
  itemId, constraints = [], testPrefix, hint, onChange,
}) => {
  const set = (next: Constraints) => onChange(next.length ? next : undefined);
  const tx = useDefaultText();
  return (
    <div data-testid={`${testPrefix}-constraints`}>
      {constraints.map((c, k) => (
        <div key={k} data-testid={`${testPrefix}-constraint-${k}`}>
          <ExpressionInput label={`Constraint ${k + 1}`} hint={hint} value={c.expression} itemId={itemId} part={`constraints[${k}].expression`}
            testId={`${testPrefix}-constraint-${k}-expression`} onChange={(v) => set(constraints.map((x, i) => (i === k ? { ...x, expression: v } : x)))} />
          <Labeled label="Message when it does not hold">
            <TextInput value={tx.show(c.message)} testId={`${testPrefix}-constraint-${k}-message`} onChange={(v) => set(constraints.map((x, i) => (i === k ? { ...x, message: tx.edit(x.message, v) } : x)))} />
          </Labeled>
          <button type="button" className="gbfb-link-btn" data-testid={`${testPrefix}-constraint-${k}-remove`} onClick={() => set(constraints.filter((_, i) => i !== k))}>Remove constraint</button>
        </div>
      ))}
      <button type="button" className="gbfb-link-btn" data-testid={`${testPrefix}-constraint-add`} onClick={() => set([...constraints, { expression: '', message: '' }])}>+ Add constraint</button>
    </div>
  );
};

/** The expressions of one field or column. */
export const FieldExpressions: React.FC<{ field: Field; inTable: boolean; testPrefix: string; onChange: (patch: Patch) => void }> = ({ field, inTable, testPrefix, onChange }) => {
  const calculated = field.type === 'calculated';
  return (
    <div className="gbfb-sub" data-testid={`${testPrefix}-expressions`}>
      {calculated ? (
        <>
          <Labeled label="Result type">
            <SelectInput value={field.resultType ?? ''} testId={`${testPrefix}-result-type`} options={[{ value: '', label: 'choose…' }, ...RESULT_TYPES]}
              onChange={(v) => onChange({ resultType: (v || undefined) as Field['resultType'] })} />
          </Labeled>
          <ExpressionInput label="Calculation" hint="Computed by the server from the answer, e.g. ${adults} + ${children}" value={field.expression ?? ''} itemId={field.id} part="expression"
            testId={`${testPrefix}-expression`} onChange={(v) => onChange({ expression: v || undefined })} />
        </>
      ) : field.type !== 'file' ? (
        <ExpressionInput label="Default" hint="Fills the answer when it is left out, e.g. today() or 'none'" value={field.default ?? ''} itemId={field.id} part="default"
          testId={`${testPrefix}-default`} onChange={(v) => onChange({ default: v || undefined })} />
      ) : null}
      {!inTable ? (
        <ExpressionInput label="Show if (expression)" hint={typeof field.showIf === 'object' ? 'Typing here replaces the condition above' : 'e.g. ${age} < 18'}
          value={typeof field.showIf === 'string' ? field.showIf : ''} itemId={field.id} part="showIf" testId={`${testPrefix}-showif-expression`}
          onChange={(v) => (v ? onChange({ showIf: v }) : typeof field.showIf === 'string' ? onChange({ showIf: undefined }) : undefined)} />
      ) : null}
      {!calculated ? (
        <ExpressionInput label="Required if (expression)" hint="e.g. ${total} > 3; the Required box makes it always required" value={typeof field.rules?.required === 'string' ? field.rules.required : ''}
          itemId={field.id} part="rules.required" testId={`${testPrefix}-required-expression`}
          onChange={(v) => onChange({ rules: { ...field.rules, required: v ? v : field.rules?.required === true ? true : undefined } })} />
      ) : null}
      <ConstraintsEditor itemId={field.id} constraints={field.constraints} testPrefix={testPrefix} hint={inTable ? 'Must hold for each row, e.g. ${qty} <= 10' : 'Must hold once answered, e.g. ${end} >= ${start}'}
        onChange={(constraints) => onChange({ constraints })} />
    </div>
  );
};
