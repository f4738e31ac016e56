import type { Definition, Field, Section } from './definition.schema.js';
import { FIELD_TYPE_SPECS } from './field-types.js';

/**
 * Compiles a template version to the JSON Schema (draft 2020-12) of its submissions' payloads, the
 * published contract (`GET /api/v1/templates/:id/schema`):
 *
 *   { "<section key>": { "<field key>": value, "<table key>": [ { "<column key>": value } ] } }
 *
 * It states the shape and every rule of a value exactly: unknown keys are refused, types, lengths,
 * bounds, formats, options, counts; optional fields accept null; unconditional required fields are
 * `required`. What it cannot state exactly is left to the rules engine (src/rules), and said in a
 * `$comment`: a field shown only under a condition (`showIf`) is required only when shown (a chain
 * of conditions, an untouched checkbox read as false), and blank text does not answer a required
 * question. So every answer the engine accepts validates against this schema; the engine is the
 * judge (test/unit/rules.test.ts holds both to that). Drafts: the same without `required`.
 */

type JsonSchema = Record<string, unknown>;

function conditionComment(section: Section, field: Field): string {
  const dependency = section.fields.find((f) => f.id === field.showIf!.field);
  const values = (field.showIf!.in ?? [field.showIf!.equals]).map((v) => JSON.stringify(v)).join(' or ');
  const what = field.rules?.required ? 'Shown, and then required,' : 'Shown';
  return `${what} only when "${dependency?.key ?? field.showIf!.field}" is shown and is ${values}; when hidden, its value is not stored.`;
}

function fieldSchema(section: Section | null, field: Field, draft: boolean): JsonSchema {
  const value = FIELD_TYPE_SPECS[field.type].valueSchema(field);
  const described = {
    title: field.label,
    ...(field.help ? { description: field.help } : {}),
    ...(section && field.showIf ? { $comment: conditionComment(section, field) } : {}),
  };
  const required = !draft && field.rules?.required === true;
  return required && !field.showIf ? { ...described, ...value } : { ...described, anyOf: [value, { type: 'null' }] };
}

function sectionSchema(section: Section, draft: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of section.fields) {
    properties[field.key] = fieldSchema(section, field, draft);
    if (!draft && field.rules?.required === true && !field.showIf) required.push(field.key);
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
        properties: Object.fromEntries(table.columns.map((c) => [c.key, fieldSchema(null, c, draft)])),
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
