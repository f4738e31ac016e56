import pg from 'pg';
import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import { ValidationError } from '../errors/app-error.js';
import type { Definition, Field, Section } from './definition.schema.js';
import { fieldColumns, holdsFiles, isChoice, pgTypeOf } from './field-types.js';
import {
  conversionNames,
  fitName,
  retiredConversionId,
  SYSTEM_COLUMNS,
  uniqueName,
  type Naming,
  type TableNaming,
} from './naming.js';

/**
 * The plan of a publish: the DDL that turns the tables of the previous version into those of the
 * new one, and the checks on existing rows that a tightened rule or a type change must pass.
 * Pure: it reads nothing; the publish service runs the checks and then the statements.
 *
 * Evolution rules (data is never dropped by a publish):
 * - a new field adds a nullable column (instant, existing rows untouched);
 * - a removed field keeps its column, retired (a separate, confirmed purge may drop it);
 * - a renamed field keeps its column (names are bound to stable ids, not keys);
 * - a type change converts the column in place, allowed only when every existing value converts
 *   (or a choice says what becomes of those that do not); on a table named in `options.online`,
 *   it adds a shadow column instead, filled by a background job (see PlannedOnlineConversion);
 * - `required`, `unique`, tighter ranges, lengths, patterns, options: allowed only when existing
 *   rows already satisfy them. The rules are enforced at the API when an answer arrives, never by
 *   column constraints (so accepted submissions can always be projected again); `unique` by the
 *   reservations of src/submissions/unique-values.ts, which publishing keeps in step.
 */

export interface PlannedStatement {
  sql: string;
  reason: string;
}

/**
 * A check on existing rows: SQL that returns the failing rows, or a JS predicate over a column.
 * Either way each failing row is reported with its submission, its row (repeating tables) and the
 * value that fails (src/templates/plan-report.ts).
 */
export interface PlannedCheck {
  /** Dotted path of the field: `household.age`, `household.members.name`. */
  field: string;
  rule: string;
  description: string;
  table: string;
  /** SQL selecting the failing rows as `id` (submission), `row` (row_index or NULL), `value` (text); `$1` may be bound to `params[0]`. */
  sql?: string;
  params?: unknown[];
  /** For rules defined by JavaScript semantics (patterns, formats): the column and a predicate. */
  js?: { column: string; failing: (value: string) => boolean };
  /** The table's row column (`row_index`) for a repeating table; absent for a section's table. */
  rowColumn?: string;
  /**
   * The unique rule: the submitted answers of this field (read from the submissions, pending ones
   * included, and compared as reservations compare them) must not repeat a value.
   */
  unique?: { field: Field };
  /** Skipped when the check with this `field:rule` id failed (rules on a value that did not convert). */
  after?: string;
  /** The failing rows are resolved by the builder's choice (set to null or quarantined), not a refusal. */
  resolution?: 'null' | 'quarantine';
}

/**
 * What to do with the existing values a type change cannot convert, chosen per field path by the
 * builder: refuse the publish (the default), set them to null, or keep them as text in a quarantine
 * column beside the field. `map` first replaces given values (compared after trimming spaces):
 * `{"N/A": null, "twelve": 12}`.
 */
export interface ConversionChoice {
  onFailure?: 'refuse' | 'null' | 'quarantine';
  map?: Record<string, string | number | boolean | null>;
}
export type ConversionChoices = Record<string, ConversionChoice>;

/** A type change made with a choice: how to count the rows its map replaces, for the record. */
export interface PlannedConversion {
  field: string;
  onFailure: 'refuse' | 'null' | 'quarantine';
  /** The quarantine column, when values are kept there. */
  quarantineColumn?: string;
  /** Counts the existing rows whose value the map replaces. */
  mappedSql?: string;
  params?: unknown[];
}

/**
 * A type change done online (src/templates/conversions.service.ts): the publish adds `shadow` of the
 * new type and a trigger that fills it for every row written from then on; a job fills it for the
 * rows already there, in batches by `keyColumn`, with `setSql`; a short transaction at the end
 * renames `column` to `retired` and `shadow` to `column`. The expressions are the same ones the
 * one-step path's USING runs (castUsing), over the column or over the trigger's `NEW` row.
 */
export interface PlannedOnlineConversion {
  field: string;
  fieldId: string;
  table: string;
  keyColumn: string;
  column: string;
  shadow: string;
  retired: string;
  trigger: string;
  quarantineColumn?: string;
  /** The quarantine column is new with this publish (a cancel drops it). */
  quarantineAdded: boolean;
  fromType: string;
  targetType: string;
  onFailure: 'refuse' | 'null' | 'quarantine';
  /** `"shadow" = <USING>[, "quarantine" = ...]`: one batch's SET list. */
  setSql: string;
  /** For `refuse`: the same, with what does not convert set to null (rows written after the checks; counted). */
  carefulSetSql?: string;
  /** For `refuse`: true for a stored value that does not convert (nor is mapped). */
  failingSql?: string;
}

export interface PlanOptions {
  /** Tables big enough to convert online (a shadow column and a background job) rather than in one ALTER. */
  online?: ReadonlySet<string>;
}

export interface Plan {
  fromVersion: number | null;
  toVersion: number;
  naming: Naming;
  statements: PlannedStatement[];
  checks: PlannedCheck[];
  /** Human-readable summary of the changes. */
  changes: string[];
  /** The type changes made with a conversion choice. */
  conversions: PlannedConversion[];
  /** Tables a type change rewrites (where `options.online` may apply). */
  rewrites: string[];
  /** The type changes done online (tables in `options.online`). */
  online: PlannedOnlineConversion[];
}

const q = quoteIdent;

interface Located {
  field: Field;
  path: string;
  table: TableNaming;
  isChild: boolean;
}

/** Every field and column of a definition, with its table naming and dotted path. */
function locateFields(definition: Definition, naming: Naming): Map<string, Located> {
  const located = new Map<string, Located>();
  for (const section of definition.sections) {
    const table = naming.sections[section.id]!;
    for (const field of section.fields)
      located.set(field.id, { field, path: `${section.key}.${field.key}`, table, isChild: false });
    for (const t of section.tables ?? []) {
      const child = naming.tables[t.id]!;
      for (const column of t.columns) {
        located.set(column.id, {
          field: column,
          path: `${section.key}.${t.key}.${column.key}`,
          table: child,
          isChild: true,
        });
      }
    }
  }
  return located;
}

/** The SELECT list of a check's failing rows (see PlannedCheck.sql): submission, row, value as text. */
function failingSelect(loc: Located, column: string): string {
  const row = loc.isChild ? q(SYSTEM_COLUMNS.rowIndex) : 'NULL::integer';
  return `SELECT ${q(SYSTEM_COLUMNS.submissionId)} AS id, ${row} AS row, ${q(column)}::text AS value FROM ${qualifiedName('forms', loc.table.name)}`;
}

function columnDefs(fields: Field[], table: TableNaming): string[] {
  return fields.flatMap((f) => fieldColumns(f).map((c) => `${q(table.columns[c.id]!.name)} ${c.pgType}`));
}

/** Types stored in other columns than one of their own type (a geopoint's parts, a note's none): a change to or from one is no conversion. */
const multiColumn = (field: Field) => field.type === 'geopoint' || field.type === 'note';

/** The conversion of a column (`c`: the column, or the trigger's `NEW."column"`) from one type to another, or null when it cannot be done in place. */
function conversion(from: Field, to: Field, c: string): { using: string; castType: string | null } | null {
  const a = pgTypeOf(from);
  const b = pgTypeOf(to);
  if (from.type === 'file' || to.type === 'file') return null;
  if (a === 'text' && b === 'text[]')
    return { using: `CASE WHEN ${c} IS NULL THEN NULL ELSE ARRAY[${c}] END`, castType: null };
  if (a === 'text[]' && b === 'text') return { using: `${c}[1]`, castType: null };
  if (a === 'text[]' || b === 'text[]') return null;
  if (b === 'text') return { using: `${c}::text`, castType: null };
  if (a === 'bigint' && b === 'numeric') return { using: `${c}::numeric`, castType: null };
  if (a === 'date' && b === 'timestamptz') return { using: `${c}::timestamptz`, castType: null };
  return { using: `NULLIF(btrim(${c}::text), '')::${b}`, castType: b };
}

/** Checks that existing values satisfy the rules of `field` (`expr` is the value once converted). */
function ruleChecks(
  field: Field,
  prev: Field | null,
  loc: Located,
  expr: string,
  after: string | undefined,
): PlannedCheck[] {
  const checks: PlannedCheck[] = [];
  const r = field.rules ?? {};
  const p = prev?.rules ?? {};
  const base = {
    field: loc.path,
    table: loc.table.name,
    after,
    ...(loc.isChild ? { rowColumn: SYSTEM_COLUMNS.rowIndex } : {}),
  };
  const column = loc.table.columns[field.id]!.name;
  const typeChanged = prev !== null && prev.type !== field.type;
  const add = (rule: string, description: string, where: string, params?: unknown[]) =>
    checks.push({ ...base, rule, description, sql: `${failingSelect(loc, column)} WHERE ${where}`, params });

  // Only `required: true` is a rule of stored values; an expression (required when it holds) is the engine's to judge at the door.
  if (r.required === true && !field.showIf && (p.required !== true || prev?.showIf || prev === null)) {
    if (field.type === 'multiple_choice' || holdsFiles(field.type))
      add('required', 'has a value', `${expr} IS NULL OR cardinality(${expr}) = 0`);
    else add('required', 'has a value', `${expr} IS NULL`);
  }
  if (r.unique && !loc.isChild && (!p.unique || typeChanged)) {
    checks.push({ ...base, rule: 'unique', description: 'is unique', unique: { field } });
  }
  const numeric = field.type === 'integer' || field.type === 'decimal';
  const dated = field.type === 'date' || field.type === 'datetime';
  if ((numeric || dated) && r.min !== undefined && (r.min !== p.min || typeChanged)) {
    add('min', `is at least ${r.min}`, `${expr} < $1${dated ? `::${pgTypeOf(field)}` : ''}`, [r.min]);
  }
  if ((numeric || dated) && r.max !== undefined && (r.max !== p.max || typeChanged)) {
    add('max', `is at most ${r.max}`, `${expr} > $1${dated ? `::${pgTypeOf(field)}` : ''}`, [r.max]);
  }
  if (r.minLength !== undefined && (r.minLength !== p.minLength || typeChanged)) {
    add('minLength', `has at least ${r.minLength} characters`, `char_length(${expr}) < $1`, [r.minLength]);
  }
  if (r.maxLength !== undefined && (r.maxLength !== p.maxLength || typeChanged)) {
    add('maxLength', `has at most ${r.maxLength} characters`, `char_length(${expr}) > $1`, [r.maxLength]);
  }
  if (r.minItems !== undefined && (r.minItems !== p.minItems || typeChanged)) {
    add('minItems', `has at least ${r.minItems} items`, `cardinality(${expr}) < $1`, [r.minItems]);
  }
  if (r.maxItems !== undefined && (r.maxItems !== p.maxItems || typeChanged)) {
    add('maxItems', `has at most ${r.maxItems} items`, `cardinality(${expr}) > $1`, [r.maxItems]);
  }
  if (isChoice(field.type)) {
    const values = (field.options ?? []).map((o) => o.value);
    const prevValues = new Set((prev?.options ?? []).map((o) => o.value));
    const narrowed = typeChanged || !prev || [...prevValues].some((v) => !values.includes(v));
    if (narrowed) {
      if (field.type === 'single_choice')
        add('options', `is one of the options`, `${expr} IS NOT NULL AND NOT (${expr} = ANY ($1::text[]))`, [values]);
      else add('options', `holds only options`, `${expr} IS NOT NULL AND NOT (${expr} <@ $1::text[])`, [values]);
    }
  }
  // Patterns and formats are JavaScript semantics (as the JSON Schema checks them): checked in JS.
  if (r.pattern !== undefined && (r.pattern !== p.pattern || typeChanged)) {
    const re = new RegExp(r.pattern, 'u');
    checks.push({
      ...base,
      rule: 'pattern',
      description: `matches ${r.pattern}`,
      js: { column, failing: (v) => !re.test(v) },
    });
  }
  if (field.type === 'email' && (typeChanged || prev === null)) {
    const re =
      /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
    checks.push({
      ...base,
      rule: 'format',
      description: 'is an email address',
      js: { column, failing: (v) => !re.test(v) },
    });
  }
  if (field.type === 'url' && (typeChanged || prev === null)) {
    checks.push({
      ...base,
      rule: 'format',
      description: 'is an http(s) URL',
      js: { column, failing: (v) => !/^https?:\/\/\S+$/.test(v) },
    });
  }
  return checks;
}

/**
 * Plans the move from `previous` (null for a first publish) to `definition` named by `naming`
 * (deriveNaming's result for this definition).
 */
export function planPublish(
  definition: Definition,
  naming: Naming,
  previous: { version: number; definition: Definition; naming: Naming } | null,
  choices: ConversionChoices = {},
  options: PlanOptions = {},
): Plan {
  const statements: PlannedStatement[] = [];
  const checks: PlannedCheck[] = [];
  const changes: string[] = [];
  const conversions: PlannedConversion[] = [];
  const online: PlannedOnlineConversion[] = [];
  const rewrites = new Set<string>();
  const chosen = new Set<string>();
  const toVersion = (previous?.version ?? 0) + 1;
  const before = previous ? locateFields(previous.definition, previous.naming) : new Map<string, Located>();
  const after = locateFields(definition, naming);
  const submissions = qualifiedName('public', 'submissions');

  if (!previous)
    statements.push({ sql: `CREATE SCHEMA IF NOT EXISTS ${q(naming.schema)}`, reason: 'schema for form data' });

  const createSection = (section: Section) => {
    const t = naming.sections[section.id]!;
    const cols = [
      `${q(SYSTEM_COLUMNS.submissionId)} bigint PRIMARY KEY REFERENCES ${submissions} (id) ON DELETE CASCADE`,
      ...columnDefs(section.fields, t),
    ];
    statements.push({
      sql: `CREATE TABLE ${qualifiedName(naming.schema, t.name)} (\n  ${cols.join(',\n  ')}\n)`,
      reason: `table for section "${section.key}" (${section.fields.length} fields)`,
    });
    changes.push(`add section ${section.key}`);
  };
  const createChild = (section: Section, tableId: string) => {
    const def = (section.tables ?? []).find((t) => t.id === tableId)!;
    const t = naming.tables[tableId]!;
    const cols = [
      `${q(SYSTEM_COLUMNS.rowId)} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`,
      `${q(SYSTEM_COLUMNS.submissionId)} bigint NOT NULL REFERENCES ${submissions} (id) ON DELETE CASCADE`,
      `${q(SYSTEM_COLUMNS.rowIndex)} integer NOT NULL`,
      ...columnDefs(def.columns, t),
      `CONSTRAINT ${q(fitName(`${t.name}_row_key`, t.name))} UNIQUE (${q(SYSTEM_COLUMNS.submissionId)}, ${q(SYSTEM_COLUMNS.rowIndex)})`,
    ];
    statements.push({
      sql: `CREATE TABLE ${qualifiedName(naming.schema, t.name)} (\n  ${cols.join(',\n  ')}\n)`,
      reason: `table for the repeating table "${section.key}.${def.key}" (${def.columns.length} columns)`,
    });
    changes.push(`add repeating table ${section.key}.${def.key}`);
  };

  for (const section of definition.sections) {
    const isNewSection = !previous?.naming.sections[section.id];
    if (isNewSection) createSection(section);
    for (const t of section.tables ?? []) if (!previous?.naming.tables[t.id]) createChild(section, t.id);

    // New fields of existing tables: one ALTER TABLE per table.
    const tables: { naming: TableNaming; previous: TableNaming; fields: Field[]; paths: string[] }[] = [];
    if (!isNewSection) {
      tables.push({
        naming: naming.sections[section.id]!,
        previous: previous!.naming.sections[section.id]!,
        fields: section.fields,
        paths: section.fields.map((f) => `${section.key}.${f.key}`),
      });
    }
    for (const t of section.tables ?? []) {
      const prevTable = previous?.naming.tables[t.id];
      if (prevTable)
        tables.push({
          naming: naming.tables[t.id]!,
          previous: prevTable,
          fields: t.columns,
          paths: t.columns.map((c) => `${section.key}.${t.key}.${c.key}`),
        });
    }
    for (const table of tables) {
      // Columns the table never had: those of new fields, and of a field that became a geopoint (or stopped being one).
      const added = table.fields
        .map((f, i) => ({
          path: table.paths[i]!,
          isNew: !before.has(f.id),
          columns: fieldColumns(f).filter((c) => !table.previous.columns[c.id]),
        }))
        .filter((a) => a.columns.length > 0);
      if (added.length === 0) continue;
      statements.push({
        sql:
          `ALTER TABLE ${qualifiedName(naming.schema, table.naming.name)}\n  ` +
          `${added.flatMap((a) => a.columns.map((c) => `ADD COLUMN ${q(table.naming.columns[c.id]!.name)} ${c.pgType}`)).join(',\n  ')}`,
        reason: `new field${added.length > 1 ? 's' : ''} ${added.map((a) => a.path).join(', ')}`,
      });
      changes.push(...added.filter((a) => a.isNew).map((a) => `add field ${a.path}`));
    }
  }

  // Changes to existing fields. (A `unique` rule is no index of the typed tables: the typed rows
  // are a projection, and an index there would refuse in the worker what the API accepted.)
  for (const [id, loc] of after) {
    const prev = before.get(id);
    const tableName = qualifiedName(naming.schema, loc.table.name);
    if (!prev) continue;
    if (prev.table.name !== loc.table.name) {
      changes.push(`move ${prev.path} to ${loc.path} (new column; the old one is retired)`);
      continue;
    }
    if (multiColumn(prev.field) || multiColumn(loc.field)) {
      if (prev.field.key !== loc.field.key) changes.push(`rename ${prev.path} to ${loc.path} (columns kept)`);
      if (prev.field.type !== loc.field.type) {
        // Nothing converts: the new type's columns are added (above), the old ones retired with their data.
        changes.push(
          `change ${loc.path} from ${prev.field.type} to ${loc.field.type} (new columns; the old ones are kept, retired)`,
        );
        continue;
      }
      // A geopoint newly required: every existing row has its latitude (the parts come together).
      const lat = fieldColumns(loc.field)[0];
      if (
        lat &&
        loc.field.rules?.required === true &&
        !loc.field.showIf &&
        (prev.field.rules?.required !== true || prev.field.showIf)
      ) {
        checks.push({
          field: loc.path,
          rule: 'required',
          description: 'has a value',
          table: loc.table.name,
          sql: `SELECT ${q(SYSTEM_COLUMNS.submissionId)} AS id FROM ${tableName} WHERE ${q(loc.table.columns[lat.id]!.name)} IS NULL`,
        });
      }
      continue;
    }
    const column = loc.table.columns[id]!.name;
    if (prev.field.key !== loc.field.key) changes.push(`rename ${prev.path} to ${loc.path} (column ${column} kept)`);

    // Type change: convert in place when every value converts.
    let expr = q(column);
    let castCheck: string | undefined;
    if (pgTypeOf(prev.field) !== pgTypeOf(loc.field)) {
      const conv = conversion(prev.field, loc.field, q(column));
      if (!conv) {
        checks.push({
          field: loc.path,
          rule: 'type',
          description: `cannot change from ${prev.field.type} to ${loc.field.type}`,
          table: loc.table.name,
          sql: failingSelect(loc, column),
        });
        continue;
      }
      let using = conv.using;
      const goOnline = options.online?.has(loc.table.name) ?? false;
      let cast: ReturnType<typeof castConversion> | undefined;
      if (conv.castType) {
        const choice = choices[loc.path];
        if (choice) chosen.add(loc.path);
        cast = castConversion(loc, column, conv.castType, choice ?? {}, goOnline);
        castCheck = cast.resolution ? undefined : `${loc.path}:type`;
        checks.push({
          field: loc.path,
          rule: 'type',
          description: `converts from ${prev.field.type} to ${loc.field.type}`,
          table: loc.table.name,
          sql: `${failingSelect(loc, column)} WHERE ${cast.failing}`,
          params: cast.params,
          ...(loc.isChild ? { rowColumn: SYSTEM_COLUMNS.rowIndex } : {}),
          ...(cast.resolution ? { resolution: cast.resolution } : {}),
        });
        if (cast.mapCheck) checks.push(cast.mapCheck);
        if (cast.conversion) conversions.push(cast.conversion);
        statements.push(...cast.before);
        using = cast.using;
      }
      expr = `(${using})`;
      rewrites.add(loc.table.name);
      if (goOnline) {
        const planned = onlineConversion(
          loc,
          prev,
          column,
          naming.schema,
          previous!.version,
          cast ?? null,
          (ref) => conversion(prev.field, loc.field, ref)!.using,
        );
        online.push(planned.conversion);
        statements.push(...planned.statements);
        changes.push(
          `change ${loc.path} from ${prev.field.type} to ${loc.field.type} (online: a new column filled in the background, then swapped)`,
        );
      } else {
        statements.push({
          sql: `ALTER TABLE ${tableName} ALTER COLUMN ${q(column)} TYPE ${pgTypeOf(loc.field)} USING ${using}`,
          reason: `${loc.path}: ${prev.field.type} to ${loc.field.type}`,
        });
        changes.push(`change ${loc.path} from ${prev.field.type} to ${loc.field.type}`);
      }
    } else if (prev.field.type !== loc.field.type) {
      changes.push(`change ${loc.path} from ${prev.field.type} to ${loc.field.type} (same column type)`);
    }
    checks.push(...ruleChecks(loc.field, prev.field, loc, expr, castCheck));

    if (JSON.stringify(prev.field.rules ?? {}) !== JSON.stringify(loc.field.rules ?? {}))
      changes.push(`change rules of ${loc.path}`);
  }

  // Removed fields: the column stays, retired (its unique values, if any, are freed by publishing).
  for (const [id, prev] of before) {
    if (after.has(id)) continue;
    const kept = fieldColumns(prev.field)
      .map((c) => prev.table.columns[c.id]?.name)
      .filter((n) => n !== undefined);
    if (kept.length)
      changes.push(`remove ${prev.path} (column${kept.length > 1 ? 's' : ''} ${kept.join(', ')} kept, retired)`);
    else changes.push(`remove ${prev.path}`);
  }
  for (const section of previous?.definition.sections ?? []) {
    if (!definition.sections.some((s) => s.id === section.id))
      changes.push(`remove section ${section.key} (table kept, retired)`);
  }

  const unused = Object.keys(choices).filter((path) => !chosen.has(path));
  if (unused.length) {
    throw new ValidationError(
      'A conversion choice names no type change of this plan',
      unused.map((path) => ({
        path: `conversions.${path}`,
        message: 'this plan converts no values of this field (a choice applies to a type change that can fail)',
      })),
    );
  }
  return {
    fromVersion: previous?.version ?? null,
    toVersion,
    naming,
    statements,
    checks,
    changes,
    conversions,
    rewrites: [...rewrites],
    online,
  };
}

const literal = (value: string) => pg.escapeLiteral(value);

/**
 * The expressions of a cast type change over `c` (a column, or the trigger's `NEW."column"`), with
 * the builder's choice: the USING expression, whether a value converts, and whether it fails (does
 * not convert and is not mapped). Only literals: the builder's values are escaped, types are names
 * from the field type table.
 */
function castExpressions(
  c: string,
  type: string,
  onFailure: 'refuse' | 'null' | 'quarantine',
  map: (readonly [string, string | null])[],
) {
  // Blank text converts to null, as the cast below does.
  const converts = `public.gridbook_can_cast(NULLIF(btrim(${c}::text), ''), ${literal(type)}::regtype)`;
  const unmappedLiteral = map.length
    ? ` AND btrim(${c}::text) NOT IN (${map.map(([from]) => literal(from)).join(', ')})`
    : '';
  const failing = `${c} IS NOT NULL AND NOT ${converts}`;
  const cast = `NULLIF(btrim(${c}::text), '')::${type}`;
  const mapped = (otherwise: string) =>
    map.length
      ? `CASE btrim(${c}::text) ` +
        `${map.map(([from, to]) => `WHEN ${literal(from)} THEN ${to === null ? 'NULL' : literal(to)}::${type}`).join(' ')} ELSE ${otherwise} END`
      : otherwise;
  const careful = mapped(`CASE WHEN ${converts} THEN ${cast} END`);
  return { converts, failing, unmappedLiteral, using: onFailure === 'refuse' ? mapped(cast) : careful, careful };
}

/**
 * A cast type change with the builder's choice for what does not convert: the values the map
 * replaces, the rows that still fail (refused, set to null or quarantined), and the USING expression.
 * Online (`online`), the quarantine column is filled by the backfill, not by an UPDATE here.
 */
function castConversion(loc: Located, column: string, type: string, choice: ConversionChoice, online = false) {
  const c = q(column);
  const onFailure = choice.onFailure ?? 'refuse';
  const map = Object.entries(choice.map ?? {}).map(
    ([from, to]) => [from.trim(), to === null ? null : String(to)] as const,
  );
  const forRef = (ref: string) => castExpressions(ref, type, onFailure, map);
  const { failing, unmappedLiteral, using } = forRef(c);
  const unmapped = map.length ? ` AND btrim(${c}::text) <> ALL($1::text[])` : '';
  const table = qualifiedName('forms', loc.table.name);
  const before: PlannedStatement[] = [];
  let quarantineColumn: string | undefined;
  let quarantineAdded = false;
  if (onFailure === 'quarantine') {
    const kept = loc.table.quarantine?.[loc.field.id];
    quarantineColumn =
      kept ?? uniqueName(`${column}__unconverted`, new Set(loc.table.used), `${loc.table.name}.${column}:quarantine`);
    quarantineAdded = !kept;
    if (!kept) {
      loc.table.quarantine = { ...loc.table.quarantine, [loc.field.id]: quarantineColumn };
      loc.table.used = [...loc.table.used, quarantineColumn];
      before.push({
        sql: `ALTER TABLE ${table} ADD COLUMN ${q(quarantineColumn)} text`,
        reason: `${loc.path}: a column for the values that do not convert`,
      });
    }
    if (!online) {
      before.push({
        sql: `UPDATE ${table} SET ${q(quarantineColumn)} = ${c}::text WHERE ${failing}${unmappedLiteral}`,
        reason: `${loc.path}: the values that do not convert kept as they were`,
      });
    }
  }
  const mapCheck: PlannedCheck | undefined = map.length
    ? {
        field: loc.path,
        rule: 'map',
        description: `each value the map gives converts to ${loc.field.type}`,
        table: loc.table.name,
        sql:
          `SELECT NULL::bigint AS id, NULL::integer AS row, v AS value FROM unnest($1::text[]) ` +
          `v WHERE NOT public.gridbook_can_cast(v, ${literal(type)}::regtype)`,
        params: [map.map(([, to]) => to)],
      }
    : undefined;
  const resolution = onFailure === 'refuse' ? undefined : onFailure;
  const recorded = onFailure !== 'refuse' || map.length > 0;
  return {
    forRef,
    onFailure,
    quarantineColumn,
    quarantineAdded,
    failing: failing + unmapped,
    params: map.length ? [map.map(([from]) => from)] : undefined,
    using,
    before,
    mapCheck,
    resolution,
    conversion: recorded
      ? {
          field: loc.path,
          onFailure,
          ...(quarantineColumn ? { quarantineColumn } : {}),
          ...(map.length
            ? {
                mappedSql: `SELECT count(*) AS n FROM ${table} WHERE ${c} IS NOT NULL AND btrim(${c}::text) = ANY($1::text[])`,
                params: [map.map(([from]) => from)],
              }
            : {}),
        }
      : undefined,
  };
}

/** A dollar-quote tag that does not occur in `body` (which may hold the builder's values as literals). */
function dollarTag(body: string): string {
  let tag = '$gb$';
  for (let n = 2; body.includes(tag); n++) tag = `$gb${n}$`;
  return tag;
}

/**
 * The statements and the record of an online type change (PlannedOnlineConversion): a shadow
 * column of the new type, and a trigger filling it (and the quarantine column) for every row
 * written from the publish on, with the expressions a batch of the backfill uses.
 */
function onlineConversion(
  loc: Located,
  prev: Located,
  column: string,
  schema: string,
  fromVersion: number,
  cast: ReturnType<typeof castConversion> | null,
  usingFor: (ref: string) => string,
): { conversion: PlannedOnlineConversion; statements: PlannedStatement[] } {
  const names = conversionNames(loc.table, column, fromVersion);
  // Recorded now (retired) so that a purge and later versions know the name; it exists from the swap on.
  loc.table.columns[retiredConversionId(loc.field.id, fromVersion)] = { name: names.retired, retired: true };
  const table = qualifiedName(schema, loc.table.name);
  const targetType = pgTypeOf(loc.field);
  const assignments = (ref: (col: string) => string) => {
    const value = ref(q(column));
    const list: [string, string][] = [[names.shadow, cast ? cast.forRef(value).using : usingFor(value)]];
    if (cast?.quarantineColumn) {
      const e = cast.forRef(value);
      list.push([
        cast.quarantineColumn,
        `CASE WHEN ${e.failing}${e.unmappedLiteral} THEN ${value}::text ELSE ${ref(q(cast.quarantineColumn))} END`,
      ]);
    }
    return list;
  };
  const setSql = assignments((col) => col)
    .map(([col, e]) => `${q(col)} = ${e}`)
    .join(', ');
  const body = `BEGIN\n${assignments((col) => `NEW.${col}`)
    .map(([col, e]) => `  NEW.${q(col)} := ${e};`)
    .join('\n')}\n  RETURN NEW;\nEND`;
  const tag = dollarTag(body);
  const fn = qualifiedName(schema, names.trigger);
  const refuse = cast !== null && cast.onFailure === 'refuse';
  const careful = refuse ? cast.forRef(q(column)) : null;
  return {
    conversion: {
      field: loc.path,
      fieldId: loc.field.id,
      table: loc.table.name,
      keyColumn: loc.isChild ? SYSTEM_COLUMNS.rowId : SYSTEM_COLUMNS.submissionId,
      column,
      shadow: names.shadow,
      retired: names.retired,
      trigger: names.trigger,
      ...(cast?.quarantineColumn ? { quarantineColumn: cast.quarantineColumn } : {}),
      quarantineAdded: cast?.quarantineAdded ?? false,
      fromType: pgTypeOf(prev.field),
      targetType,
      onFailure: cast?.onFailure ?? 'refuse',
      setSql,
      ...(careful
        ? {
            carefulSetSql: `${q(names.shadow)} = ${careful.careful}`,
            failingSql: `${careful.failing}${careful.unmappedLiteral}`,
          }
        : {}),
    },
    statements: [
      {
        sql: `ALTER TABLE ${table} ADD COLUMN ${q(names.shadow)} ${targetType}`,
        reason: `${loc.path}: the column of the new type, filled in the background`,
      },
      {
        sql: `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS ${tag}\n${body}\n${tag}`,
        reason: `${loc.path}: converts the rows written while the background job runs`,
      },
      {
        sql: `CREATE TRIGGER ${q(names.trigger)} BEFORE INSERT OR UPDATE OF ${q(column)} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
        reason: `${loc.path}: every row written from now on gets the new column too`,
      },
    ],
  };
}
