import React, { useMemo } from 'react';
import { errorsUnder, fieldPath, type ErrorIndex } from './errors';
import { FieldErrors, FieldRow } from './field-row';
import { TableInput } from './table-input';
import { useText } from './text';
import type { Answer, Definition, Row, Section } from './types';
import { shownKeys } from './values';

/** One section of the form: its visible fields (showIf applied live) and its repeating tables. */
export const SectionForm: React.FC<{
  definition: Definition;
  section: Section;
  values: Row;
  /** The whole answer as the server will judge it (computedAnswer): a condition may read another section or a calculation. */
  whole: Answer;
  onChange: (next: Row) => void;
  errors: ErrorIndex;
  locked: boolean;
  disabled: boolean;
}> = ({ definition, section, values, whole, onChange, errors, locked, disabled }) => {
  const t = useText();
  const visible = useMemo(() => shownKeys(definition, section, whole), [definition, section, whole]);
  const computed: Row = whole[section.key] ?? {};
  const readOnly = locked || disabled;
  return (
    <div
      className={`gbff-card gbff-section${locked ? ' locked' : ''}`}
      data-testid={`fill-section-${section.key}`}
      data-locked={String(locked)}
    >
      <div className="gbff-section-head">
        <span className="gbff-section-title">{section.label}</span>
        {locked ? (
          <span className="gbff-pill green" title={t.sectionApprovedTitle}>
            ✓ {t.sectionApprovedReadOnly}
          </span>
        ) : null}
      </div>
      <div className="gbff-section-body">
        {section.help ? (
          <div className="gbff-help" style={{ marginTop: 10 }}>
            {section.help}
          </div>
        ) : null}
        <FieldErrors messages={errors.get(section.key)} />
        {section.fields.map((field) =>
          visible.has(field.key) ? (
            <FieldRow
              key={field.id}
              field={field}
              sectionKey={section.key}
              value={field.type === 'calculated' ? computed[field.key] : values[field.key]}
              disabled={readOnly}
              errors={errorsUnder(errors, fieldPath(section.key, field.key))}
              onChange={(v) => onChange({ ...values, [field.key]: v })}
            />
          ) : null,
        )}
        {(section.tables ?? []).map((table) => (
          <TableInput
            key={table.id}
            table={table}
            sectionKey={section.key}
            errors={errors}
            disabled={readOnly}
            computedRows={(Array.isArray(computed[table.key]) ? computed[table.key] : []) as Row[]}
            rows={(Array.isArray(values[table.key]) ? values[table.key] : []) as Row[]}
            setRows={(rows) => onChange({ ...values, [table.key]: rows })}
          />
        ))}
        {section.fields.length === 0 && !(section.tables ?? []).length ? (
          <div className="gbff-muted" style={{ paddingTop: 12 }}>
            {t.noFields}
          </div>
        ) : null}
      </div>
    </div>
  );
};
