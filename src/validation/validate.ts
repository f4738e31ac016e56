import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ValidationError, type ErrorDetail } from '../errors/app-error.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/**
 * One ajv instance for request and input schemas (TypeBox schemas are plain JSON Schema, so the
 * same objects feed the OpenAPI document). Unknown properties are removed, not rejected, so a
 * client sending extra fields (a status, an owner) gets them ignored rather than applied.
 */
export const ajv = new Ajv2020({
  allErrors: true,
  ownProperties: true,
  removeAdditional: 'all',
  useDefaults: true,
  coerceTypes: false,
  strict: false,
});
addFormats(ajv);

/** For documents whose unknown properties are mistakes to report (a template definition), not noise to drop. */
export const strictAjv = new Ajv2020({
  allErrors: true,
  useDefaults: false,
  coerceTypes: false,
  strict: false,
  ownProperties: true,
});
addFormats(strictAjv);

/** For query strings, where every value arrives as text: numbers and booleans are coerced. */
export const queryAjv = new Ajv2020({
  allErrors: true,
  removeAdditional: 'all',
  useDefaults: true,
  coerceTypes: 'array',
  strict: false,
  ownProperties: true,
});
addFormats(queryAjv);

/** `/sections/2/fields/5/key` -> `sections[2].fields[5].key` */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

export function ajvErrorsToDetails(errors: ErrorObject[] | null | undefined): ErrorDetail[] {
  return (errors ?? []).map((e) => {
    let path = pointerToPath(e.instancePath);
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      path = path ? `${path}.${missing}` : missing;
      return { path, message: 'is required', code: e.keyword };
    }
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: path ? `${path}.${extra}` : extra, message: 'is not allowed', code: e.keyword };
    }
    if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return { path, message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`, code: e.keyword };
    }
    return { path, message: e.message ?? 'is invalid', code: e.keyword };
  });
}

export function summarize(details: ErrorDetail[]): string {
  const first = details[0];
  if (!first) return 'Invalid input';
  const head = first.path ? `${first.path}: ${first.message}` : first.message;
  return details.length === 1
    ? head
    : `${head} (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})`;
}

export type Validator<T> = (input: unknown) => T;

/** Compiles a schema once; the returned function returns the (cleaned) input or throws ValidationError. */
export function compileValidator<S extends TSchema>(
  schema: S,
  options: { strict?: boolean; coerce?: boolean } = {},
): Validator<Static<S>> {
  const check: ValidateFunction = (options.strict ? strictAjv : options.coerce ? queryAjv : ajv).compile(schema);
  return (input: unknown) => {
    if (check(input)) return input as Static<S>;
    const details = ajvErrorsToDetails(check.errors);
    throw new ValidationError(summarize(details), details);
  };
}
