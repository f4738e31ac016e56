import { Property, ResourceMetadata } from '@adminjs/sql';
import type { PropertyType } from 'adminjs';
import type { Knex } from 'knex';

/**
 * Reads the columns of many tables of one schema in a single pg_catalog query and turns them into
 * @adminjs/sql metadata. Replaces @adminjs/sql's own parser, which runs two queries per table, finds
 * foreign keys by bare table name (a name present in two schemas breaks it), and opens a connection
 * pool per call: see the admin section of docs/architecture.md.
 */

export interface ColumnRow {
  table_name: string;
  column_name: string;
  position: number;
  type_name: string;
  is_array: boolean;
  not_null: boolean;
  has_default: boolean;
  is_generated: boolean;
  is_pk: boolean;
  ref_schema: string | null;
  ref_table: string | null;
}

const INTROSPECT_SQL = `
SELECT c.relname AS table_name,
       a.attname AS column_name,
       a.attnum::int AS position,
       CASE WHEN t.typcategory = 'A' THEN et.typname ELSE t.typname END AS type_name,
       t.typcategory = 'A' AS is_array,
       a.attnotnull AS not_null,
       a.atthasdef AS has_default,
       (a.attidentity <> '' OR a.attgenerated <> '') AS is_generated,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)) AS is_pk,
       fk.ref_schema, fk.ref_table
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
  LEFT JOIN LATERAL (
    SELECT fn.nspname AS ref_schema, fc.relname AS ref_table
      FROM pg_constraint f
      JOIN pg_class fc ON fc.oid = f.confrelid
      JOIN pg_namespace fn ON fn.oid = fc.relnamespace
     WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.conkey = ARRAY[a.attnum]::int2[]
     LIMIT 1
  ) fk ON true
 WHERE n.nspname = ? AND c.relname = ANY (?) AND c.relkind IN ('r', 'p')
 ORDER BY c.relname, a.attnum`;

const TYPE_MAP: Record<string, PropertyType> = {
  int2: 'number',
  int4: 'number',
  int8: 'number',
  float4: 'float',
  float8: 'float',
  numeric: 'float',
  money: 'currency',
  bool: 'boolean',
  date: 'date',
  timestamp: 'datetime',
  timestamptz: 'datetime',
  time: 'string',
  timetz: 'string',
  json: 'mixed',
  jsonb: 'mixed',
  uuid: 'uuid',
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  inet: 'string',
};

export interface ColumnOverrides {
  /** Allowed values of a text column (a CHECK constraint in SQL), shown as a select. */
  availableValues?: Record<string, string[]>;
  /** Foreign keys mapped to the AdminJS resource id of the referenced table (`schema.table` -> id). */
  referenceIds?: Record<string, string>;
}

/** A column of an AdminJS resource; `isArray` for PostgreSQL arrays (multiple choice). */
export class ColumnProperty extends Property {
  constructor(
    column: ConstructorParameters<typeof Property>[0],
    private readonly array: boolean,
    readonly pgType: string,
  ) {
    super(column);
  }

  override isArray(): boolean {
    return this.array;
  }

  override isSortable(): boolean {
    return !this.array && this.type() !== 'mixed';
  }
}

export function toProperties(rows: ColumnRow[], overrides: ColumnOverrides = {}): ColumnProperty[] {
  return rows.map((row) => {
    const refKey = row.ref_table ? `${row.ref_schema}.${row.ref_table}` : null;
    const referencedTable = refKey ? (overrides.referenceIds?.[refKey] ?? null) : null;
    return new ColumnProperty(
      {
        name: row.column_name,
        isId: row.is_pk,
        position: row.position,
        isNullable: !row.not_null || row.has_default,
        isEditable: !row.is_generated,
        type: referencedTable ? 'reference' : (TYPE_MAP[row.type_name] ?? 'string'),
        referencedTable,
        availableValues: overrides.availableValues?.[row.column_name] ?? null,
      },
      row.is_array,
      row.type_name,
    );
  });
}

export async function introspectColumns(
  knex: Knex,
  schema: string,
  tables: string[],
): Promise<Map<string, ColumnRow[]>> {
  const result = await knex.raw<{ rows: ColumnRow[] }>(INTROSPECT_SQL, [schema, tables]);
  const byTable = new Map<string, ColumnRow[]>();
  for (const row of result.rows) {
    const list = byTable.get(row.table_name) ?? [];
    list.push(row);
    byTable.set(row.table_name, list);
  }
  return byTable;
}

export function buildMetadata(
  knex: Knex,
  database: string,
  schema: string,
  table: string,
  rows: ColumnRow[],
  overrides: ColumnOverrides = {},
): ResourceMetadata {
  return new ResourceMetadata('postgresql', knex, database, schema, table, toProperties(rows, overrides));
}
