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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Patterns of our schemas a person can be told about in words; any other: the help text's format. */
const KNOWN_PATTERNS: Readonly<Record<string, string>> = {
  '^[0-9]{1,18}$': 'Use an id: digits only',
  '^[a-z0-9]+(-[a-z0-9]+)*$': 'Use lowercase letters and digits, words joined by single hyphens',
};

const FORMATS: Readonly<Record<string, string>> = {
  date: 'Use a date like 2024-03-31',
  'date-time': 'Use a date and time with its time zone, like 2024-03-31T14:30:00Z',
  time: 'Use a time like 14:30',
  email: 'Use an email address like name@example.org',
  uri: 'Use a web address like https://example.org',
  url: 'Use a web address like https://example.org',
};

const TYPES: Readonly<Record<string, string>> = {
  string: 'Use text',
  number: 'Use a number',
  integer: 'Use a whole number',
  boolean: 'Use true or false',
  array: 'Use a list',
  object: 'Use an object',
  null: 'Leave it empty',
};

/**
 * The one place a schema's problem becomes words a person reads: the message of each AJV keyword
 * in plain words (no regular expression, no "must NOT have"), beside the keyword as the machine
 * `code` (the API's 422 `errors[]` carry both).
 */
export function humanMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not allowed';
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `Use ${typeof p.allowedValue === 'string' ? p.allowedValue : JSON.stringify(p.allowedValue)}`;
    case 'minLength':
      return `At least ${plural(p.limit as number, 'character')}`;
    case 'maxLength':
      return `At most ${plural(p.limit as number, 'character')}`;
    case 'minItems':
      return `At least ${plural(p.limit as number, 'item')}`;
    case 'maxItems':
      return `At most ${plural(p.limit as number, 'item')}`;
    case 'minProperties':
      return `At least ${plural(p.limit as number, 'entry', 'entries')}`;
    case 'maxProperties':
      return `At most ${plural(p.limit as number, 'entry', 'entries')}`;
    case 'uniqueItems':
      return 'Each item only once';
    case 'minimum':
      return `${p.limit as number} or more`;
    case 'maximum':
      return `${p.limit as number} or less`;
    case 'exclusiveMinimum':
      return `More than ${p.limit as number}`;
    case 'exclusiveMaximum':
      return `Less than ${p.limit as number}`;
    case 'multipleOf':
      return `A multiple of ${p.multipleOf as number}`;
    case 'pattern':
      return KNOWN_PATTERNS[p.pattern as string] ?? 'Use the format shown in the help text';
    case 'format':
      return FORMATS[p.format as string] ?? 'Use the format shown in the help text';
    case 'type': {
      const types = String(p.type).split(',');
      return types.length === 1 ? (TYPES[types[0]!] ?? 'Not the right kind of value') : 'Not the right kind of value';
    }
    default:
      return 'Not valid here';
  }
}

export function ajvErrorsToDetails(errors: ErrorObject[] | null | undefined): ErrorDetail[] {
  return (errors ?? []).map((e) => {
    let path = pointerToPath(e.instancePath);
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      path = path ? `${path}.${missing}` : missing;
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      path = path ? `${path}.${extra}` : extra;
    }
    return { path, message: humanMessage(e), code: e.keyword };
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
