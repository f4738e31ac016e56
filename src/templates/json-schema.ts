import vm from 'node:vm';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ValidationError } from '../errors/app-error.js';
import { ajvErrorsToDetails, summarize } from '../validation/validate.js';
import type { Definition, Field, Section } from './definition.schema.js';
import { FIELD_TYPE_SPECS } from './field-types.js';

/**
 * Compiles a template version to the JSON Schema (draft 2020-12) of its submissions' payloads:
 *
 *   { "<section key>": { "<field key>": value, "<table key>": [ { "<column key>": value } ] } }
 *
 * Unknown keys are refused (a typo is an error, not silently lost data). Optional fields accept
 * null. A required field shown only under a condition (`showIf`) is required only when shown.
 * Drafts use the same schema without any `required`, so they may be saved incomplete.
 */

type JsonSchema = Record<string, unknown>;

function fieldSchema(field: Field, draft: boolean): JsonSchema {
  const value = FIELD_TYPE_SPECS[field.type].valueSchema(field);
  const described = { title: field.label, ...(field.help ? { description: field.help } : {}) };
  const required = !draft && field.rules?.required === true;
  return required && !field.showIf ? { ...described, ...value } : { ...described, anyOf: [value, { type: 'null' }] };
}

function conditionOf(section: Section, field: Field): JsonSchema {
  const dependency = section.fields.find((f) => f.id === field.showIf!.field)!;
  const expected = field.showIf!.in !== undefined ? { enum: field.showIf!.in } : { const: field.showIf!.equals };
  return { properties: { [dependency.key]: expected }, required: [dependency.key] };
}

function sectionSchema(section: Section, draft: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const conditional: JsonSchema[] = [];
  for (const field of section.fields) {
    properties[field.key] = fieldSchema(field, draft);
    if (draft || field.rules?.required !== true) continue;
    if (field.showIf) conditional.push({ if: conditionOf(section, field), then: { required: [field.key] } });
    else required.push(field.key);
  }
  for (const table of section.tables ?? []) {
    const rowRequired = draft ? [] : table.columns.filter((c) => c.rules?.required).map((c) => c.key);
    properties[table.key] = {
      title: table.label,
      type: 'array',
      ...(!draft && table.minRows ? { minItems: table.minRows } : {}),
      ...(table.maxRows ? { maxItems: table.maxRows } : {}),
      items: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(table.columns.map((c) => [c.key, fieldSchema(c, draft)])),
        ...(rowRequired.length ? { required: rowRequired } : {}),
      },
    };
    if (!draft && table.minRows) required.push(table.key);
  }
  return {
    title: section.label,
    type: 'object',
    additionalProperties: false,
    properties,
    ...(required.length ? { required } : {}),
    ...(conditional.length ? { allOf: conditional } : {}),
  };
}

export function compileJsonSchema(
  definition: Definition,
  meta: { templateId: string; version: number; title: string },
  options: { draft?: boolean } = {},
): JsonSchema {
  const draft = options.draft === true;
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const section of definition.sections) {
    const schema = sectionSchema(section, draft);
    properties[section.key] = schema;
    if (!draft && Array.isArray(schema.required) && schema.required.length) required.push(section.key);
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:gridbook:template:${meta.templateId}:v${meta.version}${draft ? ':draft' : ''}`,
    title: meta.title,
    type: 'object',
    additionalProperties: false,
    properties,
    ...(required.length ? { required } : {}),
  };
}

// A dedicated instance: payload schemas are strict about unknown keys and never mutate the input.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;
// ownProperties: field keys are the builders' ("constructor" is a fine key): never read through the prototype.
const payloadAjv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, addUsedSchema: false, ownProperties: true });
addFormats(payloadAjv);

export interface PayloadValidators {
  full: ValidateFunction;
  draft: ValidateFunction;
}

/**
 * Compiles the validators of one version. Callers cache them (TemplateCatalog keeps one set per
 * version for the life of the process: versions are immutable).
 */
export function compileValidators(
  definition: Definition,
  meta: { templateId: string; version: number; title: string },
): PayloadValidators {
  const full = payloadAjv.compile(compileJsonSchema(definition, meta));
  const draft = payloadAjv.compile(compileJsonSchema(definition, meta, { draft: true }));
  if (!hasPatternRules(definition)) return { full, draft };
  return { full: withTimeBudget(full, PATTERN_BUDGET_MS), draft: withTimeBudget(draft, PATTERN_BUDGET_MS) };
}

/** A payload's validation may spend this long in builders' pattern rules before it is refused. */
export const PATTERN_BUDGET_MS = 100;

function hasPatternRules(definition: Definition): boolean {
  return definition.sections.some((s) => [...s.fields, ...(s.tables ?? []).flatMap((t) => t.columns)].some((f) => f.rules?.pattern !== undefined));
}

const runValidate = new vm.Script('validate(payload)');

/**
 * Runs a validator with a time limit: a builder's pattern rule is a regular expression, and some
 * (alternations that overlap, repetitions of repetitions) backtrack exponentially on a near miss,
 * which would hold the event loop, and every request of the process, for minutes. Past the budget
 * the payload is refused with a validation error. (Costs a watchdog thread per call, so it is used
 * only for versions with pattern rules.)
 */
function withTimeBudget(validate: ValidateFunction, ms: number): ValidateFunction {
  const context = vm.createContext({ validate, payload: undefined });
  const guarded = ((payload: unknown) => {
    context.payload = payload;
    try {
      const ok = runValidate.runInContext(context, { timeout: ms }) as boolean;
      guarded.errors = validate.errors;
      return ok;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
      guarded.errors = [
        { instancePath: '', schemaPath: '#/pattern', keyword: 'pattern', params: {}, message: `took longer than ${ms} ms to check against the pattern rules: simplify the answer or the pattern` },
      ];
      return false;
    } finally {
      context.payload = undefined;
    }
  }) as ValidateFunction;
  return guarded;
}

/** Validates a payload against a version; throws ValidationError with errors per field path. */
export function assertValidPayload(validate: ValidateFunction, payload: unknown): void {
  if (validate(payload)) return;
  const details = ajvErrorsToDetails(validate.errors).filter(
    // anyOf wrappers of optional fields repeat each problem; keep the specific ones.
    (d, i, all) => !(d.code === 'anyOf' || (d.code === 'type' && d.message === 'must be null' && all.some((o, j) => j !== i && o.path === d.path))),
  );
  throw new ValidationError(summarize(details), details);
}
