import React, { useMemo, useState } from 'react';
import { Button } from '@adminjs/design-system';
import { compileRules } from '../../../src/rules/index';
import type {
  LocalizedDefinition as Definition,
  LocalizedField as Field,
  LocalizedTable as RepeatingTable,
} from '../../../src/templates/definition.schema';
import type { Definition as SourceDefinition } from './types';
import { LanguageSwitch } from '../form-fill/language-switch';
import { InterfaceTextContext, useText } from '../form-fill/text';
import { interfaceTextIn } from '../../../src/rules/interface-text';

/**
 * The form as a submitter would see it, from the editor's current (possibly unsaved) state.
 * Conditions (`showIf`) are live: a field appears once the field it depends on holds the value.
 * Both what shows and what is wrong with a value come from the rules engine the API and the fill
 * page use (src/rules), so the preview behaves as the published form will.
 */

type Values = Record<string, unknown>;

const given = (v: unknown) => v !== undefined && v !== null && v !== '';

/** The preview's values (held by field id) as an answer (by key), for the engine to judge. */
function asAnswer(definition: Definition, values: Values, rows: Record<string, Values[]>): Record<string, Values> {
  const answer: Record<string, Values> = {};
  for (const section of definition.sections) {
    const obj: Values = {};
    for (const field of section.fields) if (given(values[field.id])) obj[field.key] = values[field.id];
    for (const table of section.tables ?? []) {
      const list = rows[table.id];
      if (list)
        obj[table.key] = list.map((row) =>
          Object.fromEntries(table.columns.filter((c) => given(row[c.id])).map((c) => [c.key, row[c.id]])),
        );
    }
    answer[section.key] = obj;
  }
  return answer;
}

const Problem: React.FC<{ messages: string[] | undefined }> = ({ messages }) =>
  messages?.length ? (
    <div style={{ color: '#C20012', fontSize: 12, marginTop: 3 }} data-testid="preview-problem">
      {messages.join('; ')}
    </div>
  ) : null;

const HTML_TYPES: Partial<Record<Field['type'], string>> = {
  text: 'text',
  integer: 'number',
  decimal: 'number',
  date: 'date',
  datetime: 'datetime-local',
  time: 'time',
  email: 'email',
  url: 'url',
};

/** One input fitting the field's type. */
const Input: React.FC<{
  field: Field;
  value: unknown;
  onChange: (v: unknown) => void;
  testId: string;
  compact?: boolean;
}> = ({ field, value, onChange, testId, compact }) => {
  const t = useText();
  const str = value === undefined || value === null ? '' : String(value);
  switch (field.type) {
    // Computed by the engine from what is typed, as the server computes it.
    case 'calculated':
      return (
        <output
          className="gbfb-input"
          data-testid={testId}
          aria-readonly="true"
          title={t.calculated}
          style={{ display: 'flex', alignItems: 'center', background: '#F4F5F6' }}
        >
          {str || '—'}
        </output>
      );
    case 'long_text':
      return (
        <textarea
          className="gbfb-input"
          rows={compact ? 1 : 3}
          value={str}
          data-testid={testId}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'boolean':
      return (
        <label className="gbfb-check">
          <input
            type="checkbox"
            checked={value === true}
            data-testid={testId}
            onChange={(e) => onChange(e.target.checked)}
          />{' '}
          {compact ? '' : t.yes}
        </label>
      );
    case 'single_choice':
      return (
        <select
          className="gbfb-input"
          value={str}
          data-testid={testId}
          onChange={(e) => onChange(e.target.value || null)}
        >
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
        <div data-testid={testId} style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 16px', paddingTop: 4 }}>
          {(field.options ?? []).map((o) => (
            <label key={o.value} className="gbfb-check">
              <input
                type="checkbox"
                checked={list.includes(o.value)}
                onChange={(e) => onChange(e.target.checked ? [...list, o.value] : list.filter((v) => v !== o.value))}
              />
              {o.label}
            </label>
          ))}
        </div>
      );
    }
    case 'geopoint': {
      const point = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
      const part = (key: 'latitude' | 'longitude') => (
        <input
          className="gbfb-input"
          type="number"
          step="any"
          placeholder={t[key]}
          aria-label={t[key]}
          data-testid={`${testId}-${key}`}
          value={typeof point[key] === 'number' ? String(point[key]) : ''}
          onChange={(e) => onChange({ ...point, [key]: e.target.value === '' ? undefined : Number(e.target.value) })}
        />
      );
      return (
        <div data-testid={testId} style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 6 }}>
          {part('latitude')}
          {part('longitude')}
        </div>
      );
    }
    case 'signature':
      return (
        <div
          data-testid={testId}
          className="gbfb-muted"
          style={{
            height: 64,
            border: '1px dashed #BBC3CB',
            borderRadius: 4,
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
          }}
        >
          {t.submitterSignsHere}
        </div>
      );
    case 'note':
      return null;
    case 'file':
      return (
        <input
          type="file"
          multiple={field.multiple === true}
          accept={field.rules?.accept?.join(',')}
          data-testid={testId}
          style={{ fontSize: 13 }}
        />
      );
    default: {
      const numeric = field.type === 'integer' || field.type === 'decimal';
      const scale = field.rules?.scale;
      return (
        <input
          className="gbfb-input"
          type={HTML_TYPES[field.type] ?? 'text'}
          value={str}
          data-testid={testId}
          step={
            field.type === 'integer'
              ? 1
              : numeric
                ? scale !== undefined
                  ? 10 ** -scale
                  : 'any'
                : field.type === 'time'
                  ? 1
                  : undefined
          }
          min={
            numeric && typeof field.rules?.min === 'number'
              ? field.rules.min
              : typeof field.rules?.min === 'string' && field.type === 'date'
                ? field.rules.min
                : undefined
          }
          max={
            numeric && typeof field.rules?.max === 'number'
              ? field.rules.max
              : typeof field.rules?.max === 'string' && field.type === 'date'
                ? field.rules.max
                : undefined
          }
          onChange={(e) => onChange(numeric ? (e.target.value === '' ? null : Number(e.target.value)) : e.target.value)}
        />
      );
    }
  }
};

const Title: React.FC<{ item: { label: string; rules?: Field['rules'] } }> = ({ item }) => {
  const t = useText();
  return (
    <span style={{ fontWeight: 500, fontSize: 13 }}>
      {item.label}
      {item.rules?.required ? (
        <span style={{ color: '#C20012' }} title={t.required}>
          {' '}
          *
        </span>
      ) : null}
    </span>
  );
};

const initialRows = (table: RepeatingTable) =>
  Array.from({ length: Math.min(Math.max(table.minRows ?? 0, 1), table.maxRows ?? Infinity) }, () => ({}) as Values);

const TablePreview: React.FC<{
  table: RepeatingTable;
  rows: Values[];
  setRows: (rows: Values[]) => void;
  testId: string;
  problems: (path: string) => string[] | undefined;
  path: string;
}> = ({ table, rows, setRows, testId, problems, path }) => {
  const t = useText();
  return (
    <div style={{ marginTop: 16 }} data-testid={testId}>
      <Title item={{ label: table.label, rules: table.minRows ? { required: true } : undefined }} />
      {table.help ? <div className="gbfb-muted">{table.help}</div> : null}
      <div style={{ overflowX: 'auto', marginTop: 6 }}>
        <table className="gbfb-table">
          <thead>
            <tr>
              <th style={{ width: 30 }}>#</th>
              {table.columns.map((c) => (
                <th key={c.id}>
                  <Title item={c} />
                </th>
              ))}
              <th style={{ width: 40 }} />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={r}>
                <td className="gbfb-muted">{r + 1}</td>
                {table.columns.map((c) => (
                  <td key={c.id} style={{ minWidth: 140 }}>
                    <Input
                      field={c}
                      value={row[c.id]}
                      compact
                      testId={`${testId}-cell-${r}-${c.key}`}
                      onChange={(v) => setRows(rows.map((x, k) => (k === r ? { ...x, [c.id]: v } : x)))}
                    />
                    <Problem messages={problems(`${path}[${r}].${c.key}`)} />
                  </td>
                ))}
                <td>
                  <button
                    type="button"
                    className="gbfb-icon-btn danger"
                    title={t.removeThisRow}
                    disabled={rows.length <= (table.minRows ?? 0)}
                    onClick={() => setRows(rows.filter((_, k) => k !== r))}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 ? (
        <div className="gbfb-muted" style={{ padding: '6px 0' }}>
          {t.noRows}
        </div>
      ) : null}
      <button
        type="button"
        className="gbfb-link-btn"
        style={{ marginTop: 8 }}
        data-testid={`${testId}-add-row`}
        disabled={table.maxRows !== undefined && rows.length >= table.maxRows}
        onClick={() => setRows([...rows, {}])}
      >
        + {t.addRow}
      </button>
    </div>
  );
};

export const Preview: React.FC<{
  definition: SourceDefinition;
  loadSchema: () => Promise<Record<string, unknown> | null>;
}> = ({ definition: source, loadSchema }) => {
  // The preview reads the form in one of its languages (the default first), as the fill page does.
  const [language, setLanguage] = useState<string | undefined>(undefined);
  const [values, setValues] = useState<Values>({});
  const [rows, setRows] = useState<Record<string, Values[]>>({});
  const [schema, setSchema] = useState<Record<string, unknown> | null>(null);
  const [loading, setLoading] = useState(false);
  const rules = useMemo(() => compileRules(source, language), [source, language]);
  const definition = rules.definition;
  // Judged as a draft: what is typed is checked at once, what is left empty waits for the submit.
  // The judged answer holds defaults and calculated values: conditions read them, as on the server.
  const verdict = useMemo(
    () => rules.judge(asAnswer(definition, values, rows), { draft: true }),
    [definition, rules, values, rows],
  );
  const prepared = verdict.answer as Record<string, Values>;
  const visible = useMemo(
    () => definition.sections.map((s) => rules.shownFields(s.id, prepared[s.key], prepared)),
    [definition, rules, prepared],
  );
  const problems = useMemo(() => {
    const byPath = new Map<string, string[]>();
    for (const p of verdict.problems) byPath.set(p.path, [...(byPath.get(p.path) ?? []), p.message]);
    return byPath;
  }, [verdict]);

  // The preview's own words (buttons, markers) in the language it reads the form in.
  const text = interfaceTextIn(rules.language);

  return (
    <InterfaceTextContext.Provider value={text}>
      <div data-testid="preview">
        <div style={{ display: 'flex', alignItems: 'center', gap: 12, marginBottom: 12 }}>
          <span className="gbfb-muted" style={{ flex: 1 }}>
            The form as submitters will see it, including unsaved changes. Conditional fields appear when their
            condition holds.
          </span>
          <LanguageSwitch
            languages={source.languages}
            value={rules.language}
            onChange={setLanguage}
            testId="preview-language"
            label={text.language}
          />
          <Button
            size="sm"
            variant="text"
            onClick={() => {
              setValues({});
              setRows({});
            }}
          >
            Clear values
          </Button>
          <Button
            size="sm"
            variant="outlined"
            data-testid="preview-schema"
            disabled={loading}
            onClick={async () => {
              setLoading(true);
              try {
                setSchema(schema ? null : await loadSchema());
              } finally {
                setLoading(false);
              }
            }}
          >
            {schema ? 'Hide JSON Schema' : 'JSON Schema (saved)'}
          </Button>
        </div>
        {schema ? (
          <pre className="gbfb-pre" style={{ maxHeight: 420 }} data-testid="preview-schema-json">
            {JSON.stringify(schema, null, 2)}
          </pre>
        ) : null}
        <div className="gbfb-card" style={{ padding: '8px 28px 24px', maxWidth: 860 }}>
          {definition.sections.map((section, s) => (
            <fieldset
              key={`${section.id}#${s}`}
              style={{ border: 0, padding: 0, margin: '16px 0 0' }}
              data-testid={`preview-section-${s}`}
            >
              <legend style={{ fontSize: 18, fontWeight: 500, padding: 0, marginBottom: 4 }}>{section.label}</legend>
              {section.help ? (
                <div className="gbfb-muted" style={{ marginBottom: 8 }}>
                  {section.help}
                </div>
              ) : null}
              <div style={{ borderTop: '1px solid #EEEEEF', paddingTop: 4 }}>
                {section.fields.map((field, f) =>
                  visible[s]?.has(field.id) ? (
                    <div
                      key={`${field.id}#${f}`}
                      style={{
                        margin: '12px 0',
                        maxWidth: field.type === 'long_text' || field.type === 'multiple_choice' ? undefined : 480,
                      }}
                      data-testid={`preview-field-${s}-${f}`}
                      data-key={field.key}
                    >
                      <div style={{ marginBottom: 4 }}>
                        <Title item={field} />
                        {field.showIf ? (
                          <span className="gbfb-pill amber" style={{ marginLeft: 8 }}>
                            conditional
                          </span>
                        ) : null}
                      </div>
                      <Input
                        field={field}
                        value={field.type === 'calculated' ? prepared[section.key]?.[field.key] : values[field.id]}
                        testId={`preview-input-${s}-${f}`}
                        onChange={(v) => setValues((x) => ({ ...x, [field.id]: v }))}
                      />
                      <Problem messages={problems.get(`${section.key}.${field.key}`)} />
                      {field.help ? (
                        <div className="gbfb-muted" style={{ marginTop: 3 }}>
                          {field.help}
                        </div>
                      ) : null}
                    </div>
                  ) : null,
                )}
                {(section.tables ?? []).map((table, t) => (
                  <TablePreview
                    key={`${table.id}#${t}`}
                    table={table}
                    testId={`preview-table-${s}-${t}`}
                    rows={rows[table.id] ?? initialRows(table)}
                    problems={(path) => problems.get(path)}
                    path={`${section.key}.${table.key}`}
                    setRows={(next) => setRows((x) => ({ ...x, [table.id]: next }))}
                  />
                ))}
                {section.fields.length === 0 && !(section.tables ?? []).length ? (
                  <div className="gbfb-muted" style={{ padding: '12px 0' }}>
                    {text.noFields}
                  </div>
                ) : null}
              </div>
            </fieldset>
          ))}
        </div>
      </div>
    </InterfaceTextContext.Provider>
  );
};
