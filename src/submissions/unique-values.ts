import sql, { type Sql } from 'sql-template-tag';
import type { ServiceContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { DuplicateValueError } from '../errors/app-error.js';
import { gridRoleOf } from '../grids/grids.repository.js';
import { can } from '../permissions/policy.js';
import type { Definition, Field } from '../templates/definition.schema.js';
import { own } from '../templates/own.js';
import { compileRules, type CompiledRules } from '../rules/index.js';

/**
 * Reservations of `unique` values: the duplicate check, at the door.
 *
 * A submitted (non-draft) submission holds one row of `submission_unique_values` per unique field
 * it answers: (template, field id, normalised value), whose primary key refuses a second holder.
 * The rows are written in the transaction that stores or changes the submission, so a duplicate
 * is refused with 409 before anything is accepted, race-safe across web nodes (PostgreSQL makes
 * the second of two concurrent INSERTs of one key wait for the first, then fail if it committed).
 *
 * - The unique fields are those of the template's CURRENT version; a submission's values are read
 *   with its own version's keys, the field's stable id being the link (a renamed key keeps its
 *   values). Publishing reconciles the rows when a field gains or loses `unique` or changes type.
 * - What "the same value" means is decided in one place, the SQL function gridbook_unique_value
 *   (migrations/1764410400000_unique_value_reservations.sql, described in docs/forms.md); every
 *   statement here hands it the raw answer and its field type.
 * - A field hidden by its condition (`showIf`, as the rules engine decides for the projection)
 *   reserves nothing, and neither does an empty answer.
 * - Drafts reserve nothing; submitting one reserves. Editing a rejected submission moves its
 *   reservations (a value it keeps stays its own). Deleting a submission frees them (ON DELETE
 *   CASCADE).
 */

/** One answered unique field of a submission. */
export interface UniqueAnswer {
  fieldId: string;
  fieldType: Field['type'];
  /** The answer as sent (normalised by PostgreSQL, see above). */
  value: unknown;
  /** Where it sits in the answer: `household.village`. */
  path: string;
  label: string;
}

function locate<D extends Definition>(
  definition: D,
  fieldId: string,
): { section: D['sections'][number]; field: D['sections'][number]['fields'][number] } | null {
  for (const section of definition.sections) {
    const field = section.fields.find((f) => f.id === fieldId);
    if (field) return { section, field };
  }
  return null;
}

/**
 * The unique fields of `current` (the template's current version) that `payload` answers, read
 * with the keys of `ownRules`' version (the version the payload was written for). A field hidden
 * by its condition (`showIf`, decided by the rules engine as the projection decides it) holds
 * nothing: its value is stored with the answer but projected as NULL, so it reserves nothing.
 */
export function uniqueAnswers(
  current: Definition,
  payload: Record<string, unknown>,
  ownRules: CompiledRules,
): UniqueAnswer[] {
  // Table columns cannot be unique (definition.validate.ts refuses it): section fields only.
  return answersOf(
    current.sections.flatMap((s) => s.fields.filter((f) => f.rules?.unique)),
    payload,
    ownRules,
  );
}

/** What `payload` answers for `fields` (as the current version defines them), read as uniqueAnswers reads them. */
function answersOf(fields: Field[], payload: Record<string, unknown>, ownRules: CompiledRules): UniqueAnswer[] {
  const answers: UniqueAnswer[] = [];
  const shown = new Map<string, Set<string>>();
  for (const field of fields) {
    const at = locate(ownRules.definition, field.id);
    if (!at) continue;
    const values = own(payload, at.section.key);
    const value =
      values && typeof values === 'object' ? own(values as Record<string, unknown>, at.field.key) : undefined;
    if (value === undefined || value === null) continue;
    if (!shown.has(at.section.id)) shown.set(at.section.id, ownRules.shownFields(at.section.id, values, payload));
    if (!shown.get(at.section.id)!.has(field.id)) continue;
    answers.push({
      fieldId: field.id,
      fieldType: field.type,
      value,
      path: `${at.section.key}.${at.field.key}`,
      label: at.field.label,
    });
  }
  return answers;
}

/** The answers as one jsonb parameter: `[{field_id, field_type, value}]`. */
function answersParam(answers: UniqueAnswer[]): string {
  return JSON.stringify(answers.map((a) => ({ field_id: a.fieldId, field_type: a.fieldType, value: a.value })));
}

/**
 * SQL selecting `(field_id, value)` to reserve from the answers, to compose with `sql`: the
 * normalised values, blanks left out. For use inside a statement that also stores the submission.
 */
export function normalisedAnswers(answers: UniqueAnswer[]): Sql {
  return sql`SELECT a.field_id, gridbook_unique_value(a.field_type, a.value) AS value
               FROM jsonb_to_recordset(${answersParam(answers)}::jsonb) AS a(field_id text, field_type text, value jsonb)`;
}

/**
 * Many answers normalised as reservations compare them (the SQL function decides), each with
 * whether a stored submission already holds it; `value` is null for a blank answer, which
 * reserves nothing. For a batch of new answers, which must also not repeat each other.
 */
export async function normaliseAnswers(
  db: Queryable,
  templateId: string,
  answers: UniqueAnswer[],
): Promise<{ value: string | null; held: boolean }[]> {
  if (answers.length === 0) return [];
  const result = await db.query<{ value: string | null; held: boolean }>(
    `SELECT w.value, EXISTS (SELECT 1 FROM submission_unique_values r
                               WHERE r.template_id = $1 AND r.field_id = a.field_id
                                 AND r.value_digest = gridbook_unique_digest(w.value)) AS held
       FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (field_id text, field_type text, value jsonb)) WITH ORDINALITY AS a(field_id, field_type, value, i)
       CROSS JOIN LATERAL (SELECT gridbook_unique_value(a.field_type, a.value) AS value) w
      ORDER BY a.i`,
    [templateId, answersParam(answers)],
  );
  return result.rows.map((r) => ({ value: r.value, held: r.value !== null && r.held }));
}

/** The constraint whose violation means "someone else holds this value". */
export const RESERVATION_CONSTRAINT = 'submission_unique_values_pkey';

/**
 * The duplicate error for the answers held by another submission than `except`, or null when none
 * is (the holder's transaction rolled back meanwhile). The holder's id is named only to a caller
 * who may read it.
 */
export async function duplicatesOf(
  db: Queryable,
  ctx: ServiceContext,
  templateId: string,
  answers: UniqueAnswer[],
  except: string | null = null,
): Promise<DuplicateValueError | null> {
  if (answers.length === 0) return null;
  const held = await db.query<{ i: string; submission_id: string; submitted_by: string; grid_id: string }>(
    `SELECT a.i, r.submission_id, s.submitted_by, s.grid_id
       FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (field_id text, field_type text, value jsonb)) WITH ORDINALITY AS a(field_id, field_type, value, i)
       JOIN submission_unique_values r
         ON r.template_id = $1 AND r.field_id = a.field_id
        AND r.value_digest = gridbook_unique_digest(gridbook_unique_value(a.field_type, a.value))
       JOIN submissions s ON s.id = r.submission_id
      WHERE r.submission_id IS DISTINCT FROM $3::bigint
      ORDER BY a.i`,
    [templateId, answersParam(answers), except],
  );
  if (held.rows.length === 0) return null;
  const actor = ctx.actor;
  const roles = new Map<string, Awaited<ReturnType<typeof gridRoleOf>>>();
  const details = [];
  for (const row of held.rows) {
    const answer = answers[Number(row.i) - 1]!;
    let visible = false;
    if (actor) {
      if (actor.role !== 'admin' && !roles.has(row.grid_id))
        roles.set(row.grid_id, await gridRoleOf(db, row.grid_id, actor.id));
      const gridRole = actor.role === 'admin' ? null : (roles.get(row.grid_id) ?? null);
      visible = can(actor, 'read', { type: 'submission', gridRole, own: row.submitted_by === actor.id });
    }
    details.push({
      path: answer.path,
      label: answer.label,
      code: 'unique',
      message: `another submission already has this value (${answer.label} must be unique in this form)`,
      ...(visible ? { submissionId: String(row.submission_id) } : {}),
    });
  }
  return new DuplicateValueError(details);
}

/**
 * Makes a stored submission's reservations match `answers`, inside the caller's transaction:
 * frees what it no longer holds, takes its new values, and throws DuplicateValueError (409) when
 * another submission holds one of them, which rolls the caller's change back.
 */
export async function syncReservations(
  tx: Queryable,
  ctx: ServiceContext,
  submission: { id: string; templateId: string },
  answers: UniqueAnswer[],
): Promise<void> {
  await tx.query(
    sql`DELETE FROM submission_unique_values r
         WHERE r.submission_id = ${submission.id}
           AND NOT EXISTS (SELECT 1 FROM (${normalisedAnswers(answers)}) w WHERE w.field_id = r.field_id AND w.value = r.value)`,
  );
  if (answers.length === 0) return;
  // DO NOTHING: a value it already holds stays, one another submission holds is found below. A
  // concurrent holder that has not committed yet makes this wait for its outcome.
  await tx.query(
    sql`INSERT INTO submission_unique_values (template_id, field_id, value, submission_id)
        SELECT ${submission.templateId}, w.field_id, w.value, ${submission.id} FROM (${normalisedAnswers(answers)}) w WHERE w.value IS NOT NULL
        ON CONFLICT DO NOTHING`,
  );
  const duplicate = await duplicatesOf(tx, ctx, submission.templateId, answers, submission.id);
  if (duplicate) throw duplicate;
}

/** The unique fields of a definition (section fields only), by id, with their types. */
export function uniqueFieldTypes(definition: Definition | null): Map<string, Field['type']> {
  const fields = new Map<string, Field['type']>();
  for (const section of definition?.sections ?? []) {
    for (const field of section.fields) if (field.rules?.unique) fields.set(field.id, field.type);
  }
  return fields;
}

/** Submissions read per round trip when publishing scans a template's answers. */
const SCAN_BATCH = 2000;

/**
 * The normalised values that the submitted (non-draft) answers of a template hold for `fields`
 * (the new version's definitions of them), read as the API reads them (each answer through its own
 * version's keys and relevance) and normalised by PostgreSQL: value key -> submission ids, oldest
 * first. For publishing, under the template row's lock.
 */
async function answeredValues(
  db: Queryable,
  templateId: string,
  fields: Field[],
): Promise<Map<string, { fieldId: string; value: string; ids: string[] }>> {
  const found = new Map<string, { fieldId: string; value: string; ids: string[] }>();
  if (fields.length === 0) return found;
  const versions = new Map<number, CompiledRules>();
  for (const row of (
    await db.query<{ version: number; definition: Definition }>(
      'SELECT version, definition FROM template_versions WHERE template_id = $1',
      [templateId],
    )
  ).rows) {
    versions.set(row.version, compileRules(row.definition));
  }
  let last = '0';
  for (;;) {
    const batch = await db.query<{ id: string; template_version: number; payload: Record<string, unknown> }>(
      `SELECT id, template_version, payload FROM submissions
        WHERE template_id = $1 AND review_status <> 'draft' AND id > $2 ORDER BY id LIMIT ${SCAN_BATCH}`,
      [templateId, last],
    );
    const answers: { submissionId: string; answer: UniqueAnswer }[] = [];
    for (const row of batch.rows) {
      const rules = versions.get(row.template_version);
      if (rules)
        for (const answer of answersOf(fields, row.payload, rules))
          answers.push({ submissionId: String(row.id), answer });
    }
    if (answers.length) {
      const normalised = await db.query<{ i: string; value: string | null }>(
        `SELECT a.i, gridbook_unique_value(a.field_type, a.value) AS value
           FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (field_id text, field_type text, value jsonb)) WITH ` +
          `ORDINALITY AS a(field_id, field_type, value, i)`,
        [answersParam(answers.map((a) => a.answer))],
      );
      for (const { i, value } of normalised.rows) {
        if (value === null) continue;
        const { submissionId, answer } = answers[Number(i) - 1]!;
        const key = `${answer.fieldId}\u0000${value}`;
        const entry = found.get(key);
        if (entry) entry.ids.push(submissionId);
        else found.set(key, { fieldId: answer.fieldId, value, ids: [submissionId] });
      }
    }
    if (batch.rows.length < SCAN_BATCH) break;
    last = String(batch.rows[batch.rows.length - 1]!.id);
  }
  return found;
}

/** The field of a definition with this id, if it is a section field. */
function sectionField(definition: Definition, fieldId: string): Field | null {
  return locate(definition, fieldId)?.field ?? null;
}

/**
 * The publish check "the submitted answers hold no value of this field twice", compared as
 * reservations compare values: the submissions that repeat one (all of them), oldest first.
 */
export async function repeatedValues(
  db: Queryable,
  templateId: string,
  field: Field,
): Promise<{ id: string; value: string }[]> {
  const values = await answeredValues(db, templateId, [field]);
  return [...values.values()]
    .filter((v) => v.ids.length > 1)
    .flatMap((v) => v.ids.map((id) => ({ id, value: v.value })))
    .sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * Publishing: the reservations follow the new version's unique fields. A field that loses
 * `unique` (or is removed) frees its values; one that gains it, or changes type (which changes how
 * its values compare), reserves the values of every submitted submission. The publish's checks
 * have already refused duplicates among them (the `unique` check of plan.ts), and the template
 * row's lock keeps new submissions out until the publish commits.
 */
export async function reconcileReservations(
  tx: Queryable,
  templateId: string,
  previous: Definition | null,
  next: Definition,
): Promise<void> {
  const before = uniqueFieldTypes(previous);
  const after = uniqueFieldTypes(next);
  const freed = [...before].filter(([id, type]) => after.get(id) !== type).map(([id]) => id);
  const taken = [...after].filter(([id, type]) => before.get(id) !== type).map(([id]) => sectionField(next, id)!);
  if (freed.length) {
    await tx.query('DELETE FROM submission_unique_values WHERE template_id = $1 AND field_id = ANY ($2::text[])', [
      templateId,
      freed,
    ]);
  }
  if (taken.length === 0) return;
  const rows = [...(await answeredValues(tx, templateId, taken)).values()].map((v) => ({
    field_id: v.fieldId,
    value: v.value,
    submission_id: v.ids[0],
  }));
  for (let i = 0; i < rows.length; i += 5000) {
    await tx.query(
      `INSERT INTO submission_unique_values (template_id, field_id, value, submission_id)
       SELECT $1, r.field_id, r.value, r.submission_id FROM jsonb_to_recordset($2::jsonb) AS r(field_id text, value text, submission_id bigint)`,
      [templateId, JSON.stringify(rows.slice(i, i + 5000))],
    );
  }
}
