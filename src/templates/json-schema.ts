import type { LocalizedDefinition, LocalizedField as Field, LocalizedSection as Section } from './definition.schema.js';
import { FIELD_TYPE_SPECS, takesNoAnswer } from './field-types.js';

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
  const showIf = field.showIf!;
  const what = field.rules?.required ? 'Shown, and then required,' : 'Shown';
  if (typeof showIf === 'string')
    return `${what} only when ${JSON.stringify(showIf)} holds; when hidden, its value is not stored.`;
  const dependency = section.fields.find((f) => f.id === showIf.field);
  const values = (showIf.in ?? [showIf.equals]).map((v) => JSON.stringify(v)).join(' or ');
  return `${what} only when "${dependency?.key ?? showIf.field}" is shown and is ${values}; when hidden, its value is not stored.`;
}

/** What the engine judges beyond the schema: expression rules, said in words. */
function expressionComments(field: Field): string[] {
  const out: string[] = [];
  if (typeof field.rules?.required === 'string')
    out.push(`Required when ${JSON.stringify(field.rules.required)} holds.`);
  if (field.default !== undefined)
    out.push(`When left out, the server fills it with ${JSON.stringify(field.default)}.`);
  for (const c of field.constraints ?? [])
    out.push(`Refused with "${c.message}" when ${JSON.stringify(c.expression)} is false.`);
  return out;
}

/**
 * A field the answer must leave out or that is filled for it: a calculated field (always computed;
 * a value sent is ignored, so anything validates) and a field with a default are never `required`.
 */
const mayBeAbsent = (field: Field) =>
  takesNoAnswer(field.type) || field.default !== undefined || typeof field.rules?.required === 'string';

function fieldSchema(section: Section | null, field: Field, draft: boolean): JsonSchema {
  if (field.type === 'calculated') {
    return {
      title: field.label,
      ...(field.help ? { description: field.help } : {}),
      readOnly: true,
      $comment: `Calculated by the server as ${JSON.stringify(field.expression ?? '')} (${field.resultType ?? 'text'}); a value sent for it is ignored.`,
    };
  }
  if (field.type === 'note')
    return {
      title: field.label,
      readOnly: true,
      $comment: 'A note: display-only text; a value sent for it is ignored.',
    };
  const value = FIELD_TYPE_SPECS[field.type].valueSchema(field);
  const comments = [
    ...(section && field.showIf ? [conditionComment(section, field)] : []),
    ...expressionComments(field),
  ];
  const described = {
    title: field.label,
    ...(field.help ? { description: field.help } : {}),
    ...(comments.length ? { $comment: comments.join(' ') } : {}),
  };
  const required = !draft && field.rules?.required === true && !mayBeAbsent(field);
  return required && !field.showIf ? { ...described, ...value } : { ...described, anyOf: [value, { type: 'null' }] };
}

function sectionSchema(section: Section, draft: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of section.fields) {
    properties[field.key] = fieldSchema(section, field, draft);
    if (!draft && field.rules?.required === true && !field.showIf && !mayBeAbsent(field)) required.push(field.key);
  }
  for (const table of section.tables ?? []) {
    const rowRequired = draft
      ? []
      : table.columns.filter((c) => c.rules?.required === true && !mayBeAbsent(c)).map((c) => c.key);
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

/** `definition` has its texts in one language (src/rules/language.ts `localize`): they are the titles and descriptions. */
export function compileJsonSchema(
  definition: LocalizedDefinition,
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
