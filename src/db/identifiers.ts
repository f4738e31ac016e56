/**
 * SQL identifiers. Every dynamic table or column name goes through this module: nothing else
 * concatenates identifiers into SQL. Values are always bound parameters.
 */

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Conservative identifier shape (as BullMQ's PostgreSQL runner accepts): no quoting surprises. */
const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export class IdentifierError extends Error {}

export function assertSafeIdentifier(name: string): string {
  if (!SAFE_IDENTIFIER.test(name) || Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new IdentifierError(`unsafe SQL identifier: ${JSON.stringify(name)}`);
  }
  return name;
}

/** Quotes an identifier for PostgreSQL: always quoted, embedded quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\u0000') || Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new IdentifierError(`invalid SQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"` */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
