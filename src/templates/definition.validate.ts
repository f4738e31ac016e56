import { randomBytes } from 'node:crypto';
import { ValidationError, type ErrorDetail } from '../errors/app-error.js';
import { expressionItems } from '../rules/expression-items.js';
import { buildCatalog, checkExpressions } from '../rules/expressions/index.js';
import { checkLanguages, type LanguageProblem } from '../rules/language.js';
import { patternProblem } from '../rules/pattern.js';
import { compileValidator } from '../validation/validate.js';
import {
  DefinitionSchema,
  KEY_PATTERN,
  LABEL_MAX,
  type Definition,
  type Field,
  type Section,
} from './definition.schema.js';
import { FIELD_TYPE_SPECS, fieldColumns, holdsFiles, isChoice, isSearchable, rowBytes } from './field-types.js';

/**
 * Validation of template definitions: first the shape (JSON Schema), then the rules that span the
 * document, each reported on its path (`sections[2].fields[5].key: duplicate key "village"`).
 * Linear in the size of the definition: 1,000 fields take milliseconds.
 */

const checkShape = compileValidator(DefinitionSchema, { strict: true });
const KEY_RE = new RegExp(KEY_PATTERN, 'u');

/** PostgreSQL allows 1,600 columns a table, retired (kept) columns included. */
export const MAX_COLUMNS_PER_TABLE = 1600;
/** Room kept for the system columns and for columns of removed fields. */
export const MAX_FIELDS_PER_SECTION = 1000;
/** A row must fit in one 8 kB page once large values are moved out of line. */
export const MAX_ROW_BYTES = 7800;

export function newStableId(prefix: 'f' | 't' | 's'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * Gives an id to every section, field, table and column that has none (a client may omit them for
 * new items). Existing ids are kept as they are: they are the identity of a column.
 */
export function assignMissingIds(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const def = raw as { sections?: unknown };
  if (!Array.isArray(def.sections)) return raw;
  const withId = (item: unknown, prefix: 'f' | 't' | 's') => {
    if (item && typeof item === 'object' && !('id' in item)) (item as { id: string }).id = newStableId(prefix);
    return item;
  };
  for (const section of def.sections) {
    // Items that are not objects are left for validation to report, on their path.
    if (!section || typeof section !== 'object') continue;
    withId(section, 's');
    const s = section as { fields?: unknown; tables?: unknown };
    if (Array.isArray(s.fields)) s.fields.forEach((f) => withId(f, 'f'));
    if (Array.isArray(s.tables)) {
      for (const table of s.tables) {
        if (!table || typeof table !== 'object') continue;
        withId(table, 't');
        const cols = (table as { columns?: unknown }).columns;
        if (Array.isArray(cols)) cols.forEach((c) => withId(c, 'f'));
      }
    }
  }
  return raw;
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

function checkField(field: Field, path: string, inTable: boolean, problems: ErrorDetail[]): void {
  const spec = FIELD_TYPE_SPECS[field.type];
  const rules = field.rules ?? {};
  for (const rule of Object.keys(rules) as (keyof typeof rules)[]) {
    if (rules[rule] === undefined) continue;
    if (!spec.rules.includes(rule)) {
      problems.push({ path: `${path}.rules.${rule}`, message: `does not apply to ${article(field.type)} field` });
    }
  }
  if (!KEY_RE.test(field.key)) {
    problems.push({
      path: `${path}.key`,
      message: `"${field.key}" must start with a letter or underscore and hold only letters, digits and underscores`,
    });
  }
  // Patterns run on RE2 (linear time, src/rules/pattern.ts): one it cannot run is refused here, at save and at publish.
  const badPattern = rules.pattern !== undefined ? patternProblem(rules.pattern) : null;
  if (badPattern) problems.push({ path: `${path}.rules.pattern`, message: badPattern });
  if (rules.patternMessage !== undefined && rules.pattern === undefined) {
    problems.push({
      path: `${path}.rules.patternMessage`,
      message: 'is shown when an answer does not match the pattern: give a pattern too',
    });
  }
  if (rules.minLength !== undefined && rules.maxLength !== undefined && rules.minLength > rules.maxLength) {
    problems.push({ path: `${path}.rules.minLength`, message: 'must not exceed maxLength' });
  }
  if (rules.minItems !== undefined && rules.maxItems !== undefined && rules.minItems > rules.maxItems) {
    problems.push({ path: `${path}.rules.minItems`, message: 'must not exceed maxItems' });
  }
  // Bounds of a type that takes none are reported once, above.
  if ((rules.min !== undefined || rules.max !== undefined) && spec.rules.includes('min')) {
    const numeric = field.type === 'integer' || field.type === 'decimal';
    for (const bound of ['min', 'max'] as const) {
      const value = rules[bound];
      if (value === undefined) continue;
      if (numeric && typeof value !== 'number')
        problems.push({ path: `${path}.rules.${bound}`, message: 'must be a number' });
      if (!numeric && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
        problems.push({
          path: `${path}.rules.${bound}`,
          message: `must be a ${field.type === 'date' ? 'date (YYYY-MM-DD)' : 'date-time'}`,
        });
      }
    }
    if (
      typeof rules.min === typeof rules.max &&
      rules.min !== undefined &&
      rules.max !== undefined &&
      rules.min > rules.max
    ) {
      problems.push({ path: `${path}.rules.min`, message: 'must not exceed max' });
    }
  }
  if (isChoice(field.type)) {
    if (!field.options || field.options.length === 0) {
      problems.push({ path: `${path}.options`, message: `${article(field.type)} field needs at least one option` });
    } else {
      const seen = new Set<string>();
      field.options.forEach((o, i) => {
        if (seen.has(o.value))
          problems.push({ path: `${path}.options[${i}].value`, message: `duplicate option "${o.value}"` });
        seen.add(o.value);
      });
    }
  } else if (field.options !== undefined) {
    problems.push({ path: `${path}.options`, message: `only choice fields have options` });
  }
  if (field.multiple !== undefined && field.type !== 'file') {
    problems.push({ path: `${path}.multiple`, message: 'only file fields take several values this way' });
  }
  if (field.searchable !== undefined && !isSearchable(field.type)) {
    problems.push({
      path: `${path}.searchable`,
      message: `only text, long text, email and URL fields can be searchable, not ${article(field.type)} field`,
    });
  } else if (field.searchable !== undefined && inTable) {
    problems.push({
      path: `${path}.searchable`,
      message: 'is not supported on table columns (only on section fields)',
    });
  }
  if (inTable && rules.unique) {
    problems.push({
      path: `${path}.rules.unique`,
      message: 'is not supported on table columns (only on section fields)',
    });
  }
  if (inTable && (holdsFiles(field.type) || field.type === 'note')) {
    problems.push({ path: `${path}.type`, message: `${field.type} fields go in sections, not in repeating tables` });
  }
  // A note's text is its label, which may be long; every other label is a short question.
  const labelTexts = typeof field.label === 'string' ? [field.label] : Object.values(field.label);
  if (field.type !== 'note' && labelTexts.some((text) => text.length > LABEL_MAX)) {
    problems.push({
      path: `${path}.label`,
      message: `must have at most ${LABEL_MAX} characters (a longer text is a note)`,
    });
  }
  if (field.type === 'note' && field.constraints?.length) {
    problems.push({ path: `${path}.constraints`, message: 'a note holds no answer: it has no constraints' });
  }
  if (inTable && field.showIf) {
    problems.push({ path: `${path}.showIf`, message: 'is not supported on table columns' });
  }
  if (field.type === 'calculated') {
    if (field.resultType === undefined)
      problems.push({
        path: `${path}.resultType`,
        message: 'a calculated field needs a resultType: decimal, integer, text, boolean or date',
      });
    if (field.expression === undefined)
      problems.push({ path: `${path}.expression`, message: 'a calculated field needs an expression' });
    if (field.default !== undefined)
      problems.push({ path: `${path}.default`, message: 'a calculated field is always computed: it has no default' });
  } else {
    if (field.resultType !== undefined)
      problems.push({ path: `${path}.resultType`, message: 'only calculated fields have a resultType' });
    if (field.expression !== undefined)
      problems.push({
        path: `${path}.expression`,
        message: 'only calculated fields have an expression (a condition goes in showIf, a check in constraints)',
      });
  }
  if (field.default !== undefined && (holdsFiles(field.type) || field.type === 'geopoint' || field.type === 'note')) {
    problems.push({ path: `${path}.default`, message: `${article(field.type)} field has no default` });
  }
}

/**
 * Every expression (showIf, required, constraints, calculations, defaults) checked by the one
 * checker of src/rules/expressions, each on its path: unknown keys, type mismatches and cycles.
 * Only on a definition whose shape passed, so every key and id it reads is there.
 */
function checkAllExpressions(definition: Definition, problems: ErrorDetail[]): void {
  const items = expressionItems(definition);
  if (!items.length) return;
  const result = checkExpressions(buildCatalog(definition), items);
  for (const p of result.problems) problems.push({ path: p.path, message: p.message });
}

function checkKeys(items: { key: string }[], path: (i: number) => string, what: string, problems: ErrorDetail[]): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    if (seen.has(item.key)) problems.push({ path: `${path(i)}.key`, message: `duplicate ${what} key "${item.key}"` });
    if (item.key === '__proto__') problems.push({ path: `${path(i)}.key`, message: `"__proto__" is reserved` });
    else seen.set(item.key, i);
  });
}

function checkShowIf(section: Section, sPath: string, problems: ErrorDetail[]): void {
  const byId = new Map(section.fields.map((f) => [f.id, f]));
  section.fields.forEach((field, i) => {
    // An expression showIf is checked with the other expressions (checkAllExpressions).
    if (!field.showIf || typeof field.showIf === 'string') return;
    const path = `${sPath}.fields[${i}].showIf`;
    const target = byId.get(field.showIf.field);
    if (!target) {
      problems.push({
        path: `${path}.field`,
        message: `refers to "${field.showIf.field}", which is not a field of this section`,
      });
      return;
    }
    if (target.id === field.id) problems.push({ path: `${path}.field`, message: 'a field cannot depend on itself' });
    if (['file', 'multiple_choice', 'long_text', 'geopoint', 'signature', 'note'].includes(target.type)) {
      problems.push({ path: `${path}.field`, message: `cannot depend on a ${target.type} field` });
    }
    if (field.showIf.equals === undefined && field.showIf.in === undefined) {
      problems.push({ path, message: 'needs "equals" or "in"' });
    }
  });
  // Dependencies must not form a cycle (a field shown only if a field shown only if ... itself).
  for (const field of section.fields) {
    const seen = new Set<string>();
    let current: Field | undefined = field;
    while (current?.showIf && typeof current.showIf !== 'string') {
      if (seen.has(current.id)) {
        problems.push({
          path: `${sPath}.fields[${section.fields.indexOf(field)}].showIf`,
          message: 'conditions form a cycle',
        });
        break;
      }
      seen.add(current.id);
      current = byId.get(current.showIf.field);
    }
  }
}

function checkSize(section: Section, sPath: string, problems: ErrorDetail[]): void {
  if (section.fields.length > MAX_FIELDS_PER_SECTION) {
    problems.push({
      path: `${sPath}.fields`,
      message:
        `has ${section.fields.length} fields; a section holds at most ${MAX_FIELDS_PER_SECTION} (one PostgreSQL table, ` +
        `which allows ${MAX_COLUMNS_PER_TABLE} columns including removed ones): split it into several sections`,
    });
    return;
  }
  // A geopoint takes one column per part.
  const columns = section.fields.reduce((n, f) => n + fieldColumns(f).length, 0);
  if (columns > MAX_FIELDS_PER_SECTION) {
    problems.push({
      path: `${sPath}.fields`,
      message: `needs ${columns} columns (a geopoint takes 4); a section holds at most ${MAX_FIELDS_PER_SECTION}: split it into several sections`,
    });
    return;
  }
  const bytes = section.fields.reduce((sum, f) => fieldColumns(f).reduce((n, c) => n + rowBytes(c.pgType), sum), 24);
  if (bytes > MAX_ROW_BYTES) {
    problems.push({
      path: `${sPath}.fields`,
      message: `needs up to ${bytes} bytes per row, more than the ${MAX_ROW_BYTES} a PostgreSQL row can hold: split it into several sections`,
    });
  }
}

/** The translations a (valid) definition lacks: warnings, shown by the builder and returned by save and plan, never errors. */
export function translationWarnings(definition: Definition): LanguageProblem[] {
  return checkLanguages(definition).warnings;
}

/**
 * Validates a definition; returns it typed, or throws ValidationError with every problem by path.
 * `retiredIds` are ids of fields removed in earlier versions: they may not come back (ids are never
 * reused, so a new field never inherits an old column).
 */
export function validateDefinition(raw: unknown, retiredIds: ReadonlySet<string> = new Set()): Definition {
  const definition = checkShape(raw);
  const problems: ErrorDetail[] = [];
  const ids = new Map<string, string>();
  const claimId = (id: string, path: string) => {
    if (ids.has(id)) problems.push({ path: `${path}.id`, message: `duplicate id "${id}" (also at ${ids.get(id)})` });
    else ids.set(id, path);
    if (retiredIds.has(id))
      problems.push({ path: `${path}.id`, message: `"${id}" belonged to a removed item; ids are never reused` });
  };

  checkKeys(definition.sections, (i) => `sections[${i}]`, 'section', problems);
  definition.sections.forEach((section, si) => {
    const sPath = `sections[${si}]`;
    claimId(section.id, sPath);
    if (!KEY_RE.test(section.key)) {
      problems.push({
        path: `${sPath}.key`,
        message: `"${section.key}" must start with a letter or underscore and hold only letters, digits and underscores`,
      });
    }
    const tables = section.tables ?? [];
    // Fields and tables share the section's JSON object: their keys must differ.
    checkKeys(
      [...section.fields, ...tables],
      (i) => (i < section.fields.length ? `${sPath}.fields[${i}]` : `${sPath}.tables[${i - section.fields.length}]`),
      'field',
      problems,
    );
    section.fields.forEach((field, fi) => {
      const path = `${sPath}.fields[${fi}]`;
      claimId(field.id, path);
      checkField(field, path, false, problems);
    });
    tables.forEach((table, ti) => {
      const tPath = `${sPath}.tables[${ti}]`;
      claimId(table.id, tPath);
      if (!KEY_RE.test(table.key))
        problems.push({
          path: `${tPath}.key`,
          message: `"${table.key}" must start with a letter or underscore and hold only letters, digits and underscores`,
        });
      if (table.minRows !== undefined && table.maxRows !== undefined && table.minRows > table.maxRows) {
        problems.push({ path: `${tPath}.minRows`, message: 'must not exceed maxRows' });
      }
      checkKeys(table.columns, (i) => `${tPath}.columns[${i}]`, 'column', problems);
      table.columns.forEach((column, ci) => {
        const path = `${tPath}.columns[${ci}]`;
        claimId(column.id, path);
        checkField(column, path, true, problems);
      });
      checkSize({ ...section, fields: table.columns }, tPath.replace(/$/, ''), problems);
    });
    checkShowIf(section, sPath, problems);
    checkSize(section, sPath, problems);
  });
  checkAllExpressions(definition, problems);
  // Texts by language: an unknown language is an error on its path; a missing translation only a warning (translationWarnings).
  problems.push(...checkLanguages(definition).errors);

  if (problems.length) {
    const head = `${problems[0]!.path}: ${problems[0]!.message}`;
    throw new ValidationError(
      problems.length === 1 ? head : `${head} (and ${problems.length - 1} more problems)`,
      problems,
    );
  }
  return definition;
}
