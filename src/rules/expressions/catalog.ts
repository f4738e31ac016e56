/**
 * What an expression can reference: the sections, fields, tables and columns of a definition, by
 * key, with the type each reads as. Built once per definition from a structural description, so
 * the definition validator and the engine can pass a Definition as it is (a field of type
 * `calculated` carries its `resultType`).
 */

/** The scalar types of expression values. Every value may also be null. */
export type Scalar = 'number' | 'text' | 'boolean' | 'date' | 'datetime' | 'null';

/** A scalar, or a list of scalars (a multiple choice, files, or a table column over all rows). */
export interface ExprType {
  scalar: Scalar;
  list: boolean;
}

export const CALCULATED_RESULT_TYPES = ['decimal', 'integer', 'text', 'boolean', 'date'] as const;
export type CalculatedResultType = (typeof CALCULATED_RESULT_TYPES)[number];

export interface FieldDescription {
  id: string;
  key: string;
  /** A field type of the definition (text, integer, multiple_choice, ...) or `calculated`. */
  type: string;
  resultType?: string;
}

export interface TableDescription {
  id: string;
  key: string;
  columns: readonly FieldDescription[];
}

export interface SectionDescription {
  id: string;
  key: string;
  fields: readonly FieldDescription[];
  tables?: readonly TableDescription[];
}

export interface DefinitionDescription {
  sections: readonly SectionDescription[];
}

/** One field or column as expressions see it. */
export interface CatalogField {
  id: string;
  key: string;
  section: string;
  /** The key of the table, for a column. */
  table?: string;
  /** The type a reference to it reads as (a column read over all rows is a list of it). */
  type: ExprType;
  /** The definition's type (`integer`, `calculated`, ...), and the result type of a calculation. */
  fieldType: string;
  resultType?: CalculatedResultType;
  /** Why an expression cannot read it (a geopoint, a note), when it cannot. */
  unreadable?: string;
  /** Where the definition validator reports about it: `sections[0].fields[3]`, `sections[0].tables[1].columns[2]`. */
  path: string;
}

export interface CatalogTable {
  id: string;
  key: string;
  section: string;
  columns: Map<string, CatalogField>;
  path: string;
}

export interface CatalogSection {
  id: string;
  key: string;
  fields: Map<string, CatalogField>;
  tables: Map<string, CatalogTable>;
}

export interface Catalog {
  sections: Map<string, CatalogSection>;
  /** Every field and column by id. */
  byId: Map<string, CatalogField>;
}

export const scalar = (s: Scalar): ExprType => ({ scalar: s, list: false });
export const listOf = (s: Scalar): ExprType => ({ scalar: s, list: true });

/** The type a value of a field type reads as in expressions; undefined for an unknown type. */
export function typeOfField(type: string, resultType?: string): ExprType | undefined {
  switch (type) {
    case 'text':
    case 'long_text':
    case 'email':
    case 'url':
    case 'single_choice':
    case 'time': // a time of day (`14:30`, `14:30:15`) compares as text: the format sorts as time does
      return scalar('text');
    case 'integer':
    case 'decimal':
      return scalar('number');
    case 'boolean':
      return scalar('boolean');
    case 'date':
      return scalar('date');
    case 'datetime':
      return scalar('datetime');
    // A signature's value is a file field's: a list of (at most one) file id, so count() tells whether it is signed.
    case 'multiple_choice':
    case 'file':
    case 'signature':
      return listOf('text');
    case 'calculated':
      return resultType === 'integer' || resultType === 'decimal'
        ? scalar('number')
        : resultType === 'text' || resultType === 'boolean' || resultType === 'date'
          ? scalar(resultType)
          : undefined;
    default:
      return undefined;
  }
}

/**
 * Field types an expression cannot read, with the checker's message: a geopoint is no scalar
 * (comparing or adding points means nothing in this language), and a note holds no answer.
 */
export function unreadableReason(type: string): string | undefined {
  if (type === 'geopoint')
    return 'a geopoint (a location) cannot be read by an expression; make it required, or ask a question about it';
  if (type === 'note') return 'a note is display-only text and holds no answer to read';
  return undefined;
}

const resultTypeOf = (f: FieldDescription): CalculatedResultType | undefined =>
  f.type === 'calculated' && (CALCULATED_RESULT_TYPES as readonly string[]).includes(f.resultType ?? '')
    ? (f.resultType as CalculatedResultType)
    : undefined;

function describeField(f: FieldDescription, section: string, table: string | undefined, path: string): CatalogField {
  // An unknown type (a definition being edited) reads as text; the definition validator reports the type itself.
  const unreadable = unreadableReason(f.type);
  return {
    id: f.id,
    key: f.key,
    section,
    table,
    type: typeOfField(f.type, f.resultType) ?? scalar('text'),
    fieldType: f.type,
    resultType: resultTypeOf(f),
    path,
    ...(unreadable ? { unreadable } : {}),
  };
}

/** The catalog of a definition. Duplicate keys are the definition validator's to report: the first one wins here. */
export function buildCatalog(definition: DefinitionDescription): Catalog {
  const sections = new Map<string, CatalogSection>();
  const byId = new Map<string, CatalogField>();
  definition.sections.forEach((s, si) => {
    const fields = new Map<string, CatalogField>();
    s.fields.forEach((f, fi) => {
      const field = describeField(f, s.key, undefined, `sections[${si}].fields[${fi}]`);
      if (!fields.has(f.key)) fields.set(f.key, field);
      if (!byId.has(f.id)) byId.set(f.id, field);
    });
    const tables = new Map<string, CatalogTable>();
    (s.tables ?? []).forEach((t, ti) => {
      const columns = new Map<string, CatalogField>();
      t.columns.forEach((c, ci) => {
        const column = describeField(c, s.key, t.key, `sections[${si}].tables[${ti}].columns[${ci}]`);
        if (!columns.has(c.key)) columns.set(c.key, column);
        if (!byId.has(c.id)) byId.set(c.id, column);
      });
      if (!tables.has(t.key))
        tables.set(t.key, { id: t.id, key: t.key, section: s.key, columns, path: `sections[${si}].tables[${ti}]` });
    });
    if (!sections.has(s.key)) sections.set(s.key, { id: s.id, key: s.key, fields, tables });
  });
  return { sections, byId };
}

export function typeName(t: ExprType): string {
  const names: Record<Scalar, string> = {
    number: 'a number',
    text: 'a text',
    boolean: 'a yes/no value',
    date: 'a date',
    datetime: 'a date and time',
    null: 'null',
  };
  const plural: Record<Scalar, string> = {
    number: 'numbers',
    text: 'texts',
    boolean: 'yes/no values',
    date: 'dates',
    datetime: 'dates and times',
    null: 'nulls',
  };
  return t.list ? `a list of ${plural[t.scalar]}` : names[t.scalar];
}
