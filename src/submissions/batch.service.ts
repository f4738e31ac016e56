import { Type } from '@sinclair/typebox';
import { recordAuditBatch, type AuditInput } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool, Queryable } from '../db/pool.js';
import { isPgError } from '../db/pg-errors.js';
import { withTransaction } from '../db/transaction.js';
import {
  AppError,
  ConflictError,
  DuplicateValueError,
  UnauthenticatedError,
  ValidationError,
} from '../errors/app-error.js';
import type { Metrics } from '../observability/metrics.js';
import type { TemplateCatalog, VersionInfo } from '../templates/catalog.js';
import type { TemplateHeader } from '../templates/templates.repository.js';
import { compileValidator } from '../validation/validate.js';
import type { Enqueue } from './enqueue.js';
import { judgeNewAnswer, requestHashOf, templateOpenForAnswers, type Judged } from './intake.js';
import {
  BATCH_MAX_ITEMS,
  BatchSubmissionItem,
  CreateSubmissionInput,
  type BatchItemResult,
  type BatchResult,
  type ReviewStatus,
} from './submissions.schema.js';
import { duplicatesOf, normaliseAnswers, RESERVATION_CONSTRAINT, type UniqueAnswer } from './unique-values.js';

// The envelope is checked as a whole; each item on its own, so one malformed answer is reported
// with its index instead of refusing its 499 neighbours.
const validateEnvelope = compileValidator(
  Type.Object({ items: Type.Array(Type.Unknown(), { minItems: 1, maxItems: BATCH_MAX_ITEMS }) }),
);
const validateItem = compileValidator(BatchSubmissionItem);
const validateInput = compileValidator(CreateSubmissionInput);

/** An answer of the batch on its way in. */
interface Candidate {
  index: number;
  key: string;
  input: CreateSubmissionInput;
  hash: string;
}

type Accepted = Candidate & Judged & { draft: boolean };

/** What one attempt at storing the batch did (null: a publish changed the version meanwhile). */
interface Stored {
  created: Map<number, { id: string; reviewStatus: ReviewStatus }>;
  refused: Map<number, AppError>;
  /** Keys a concurrent request stored first: answered as replays once this transaction is over. */
  raced: Candidate[];
}

const ATTEMPTS = 3;

/**
 * Many answers to one template in one request (devices that sync, imports): each judged on its
 * own by the same judge as a single submission (intake.ts), the valid ones stored in ONE
 * transaction (rows, unique values, section reviews, audit entries) and queued with ONE enqueue,
 * the others reported by index with their errors. Every answer carries its own idempotency key,
 * so a batch sent again returns the first results and stores nothing twice.
 *
 * Unique values: an answer holding a value that a stored submission holds, or that an earlier
 * answer of the same batch holds, is refused (409 semantics, per item); a refused answer holds
 * nothing, so it never shuts out a later one.
 */
export class SubmissionBatchService {
  constructor(private readonly deps: { pool: Pool; catalog: TemplateCatalog; enqueue: Enqueue; metrics?: Metrics }) {}

  async create(ctx: ServiceContext, templateId: string, raw: unknown): Promise<BatchResult> {
    if (!ctx.actor) throw new UnauthenticatedError();
    const { items } = validateEnvelope(raw);
    const template = await templateOpenForAnswers(this.deps.pool, ctx, templateId);
    const results = new Array<BatchItemResult>(items.length);
    const refuse = (index: number, key: string | null, error: AppError) => {
      results[index] = {
        index,
        idempotencyKey: key,
        status: 'refused',
        error: { code: error.code, message: error.message, details: error.details },
      };
    };

    // Shapes and keys, item by item.
    const candidates: Candidate[] = [];
    const keys = new Map<string, number>();
    items.forEach((rawItem, index) => {
      const rawKey =
        rawItem && typeof rawItem === 'object' ? (rawItem as { idempotencyKey?: unknown }).idempotencyKey : undefined;
      const key = typeof rawKey === 'string' ? rawKey : null;
      try {
        const item = validateItem(rawItem);
        const earlier = keys.get(item.idempotencyKey);
        if (earlier !== undefined)
          throw new ConflictError(`This idempotency key is already used by answer ${earlier} of this batch`);
        keys.set(item.idempotencyKey, index);
        const input = validateInput({ data: item.data, draft: item.draft });
        candidates.push({ index, key: item.idempotencyKey, input, hash: requestHashOf(templateId, input) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        refuse(index, key, error);
      }
    });

    // Answers a previous request already stored under their keys: replayed, not stored again.
    const fresh = await this.replays(ctx.actor.id, candidates, results, refuse);

    let stored: Stored | null = null;
    let current = template.current_version;
    for (let attempt = 1; !stored; attempt++) {
      const version = await this.deps.catalog.version(templateId, current);
      const accepted: Accepted[] = [];
      const invalid = new Map<number, AppError>();
      for (const candidate of fresh) {
        const draft = candidate.input.draft === true;
        try {
          accepted.push({ ...candidate, ...judgeNewAnswer(version, candidate.input.data, draft, ctx), draft });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          invalid.set(candidate.index, error);
        }
      }
      try {
        const outcome = await this.store(ctx, template, version, accepted);
        if (typeof outcome === 'number') current = outcome;
        else stored = { ...outcome, refused: new Map([...invalid, ...outcome.refused]) };
      } catch (error) {
        if (!(error instanceof ReservationRaced)) throw error;
      }
      if (!stored && attempt >= ATTEMPTS)
        throw new ConflictError('The template or its unique values changed while this batch was stored: send it again');
    }

    for (const [index, error] of stored.refused) refuse(index, fresh.find((c) => c.index === index)!.key, error);
    for (const [index, created] of stored.created) {
      results[index] = {
        index,
        idempotencyKey: fresh.find((c) => c.index === index)!.key,
        status: 'created',
        submissionId: created.id,
        reviewStatus: created.reviewStatus,
      };
    }
    if (stored.raced.length) await this.replays(ctx.actor.id, stored.raced, results, refuse, true);

    const queued = [...stored.created.values()].filter((c) => c.reviewStatus !== 'draft').map((c) => c.id);
    const drafts = stored.created.size - queued.length;
    if (queued.length) this.deps.metrics?.submissionsCreated.inc({ kind: 'submitted' }, queued.length);
    if (drafts) this.deps.metrics?.submissionsCreated.inc({ kind: 'draft' }, drafts);
    // One enqueue for the batch (BullMQ addBulk), after the commit.
    if (queued.length) await this.deps.enqueue(queued);

    const count = (status: BatchItemResult['status']) => results.filter((r) => r.status === status).length;
    return { created: count('created'), replayed: count('replayed'), refused: count('refused'), items: results };
  }

  /**
   * Fills the results of candidates whose key the caller used before: the same request is a
   * replay, a different one a conflict. Returns the others (all of them are expected to be known
   * when `mustExist`: keys a concurrent request stored first).
   */
  private async replays(
    userId: string,
    candidates: Candidate[],
    results: BatchItemResult[],
    refuse: (index: number, key: string | null, error: AppError) => void,
    mustExist = false,
  ): Promise<Candidate[]> {
    if (candidates.length === 0) return [];
    const found = await this.deps.pool.query<{
      id: string;
      idempotency_key: string;
      idempotency_hash: string | null;
      review_status: ReviewStatus;
    }>(
      'SELECT id, idempotency_key, idempotency_hash, review_status FROM submissions WHERE submitted_by = $1 AND idempotency_key = ANY ($2::text[])',
      [userId, candidates.map((c) => c.key)],
    );
    const byKey = new Map(found.rows.map((r) => [r.idempotency_key, r]));
    const rest: Candidate[] = [];
    for (const c of candidates) {
      const row = byKey.get(c.key);
      if (!row) {
        if (mustExist)
          refuse(
            c.index,
            c.key,
            new ConflictError('Another request with this idempotency key was under way: send it again'),
          );
        else rest.push(c);
      } else if (row.idempotency_hash !== c.hash) {
        refuse(c.index, c.key, new ConflictError('This Idempotency-Key was already used for a different request'));
      } else {
        results[c.index] = {
          index: c.index,
          idempotencyKey: c.key,
          status: 'replayed',
          submissionId: String(row.id),
          reviewStatus: row.review_status,
        };
      }
    }
    return rest;
  }

  /**
   * One transaction for the accepted answers; returns the current version instead when a publish
   * committed since they were judged (the template row, taken FOR KEY SHARE, makes a publish under
   * way finish first). A unique value taken by a concurrent request between the check and the
   * insert rolls it back with ReservationRaced (the caller tries again).
   */
  private async store(
    ctx: ServiceContext,
    template: TemplateHeader,
    version: VersionInfo,
    accepted: Accepted[],
  ): Promise<Stored | number> {
    return withTransaction(this.deps.pool, async (tx) => {
      const locked = await tx.query<{ current_version: number | null }>(
        'SELECT current_version FROM templates WHERE id = $1 FOR KEY SHARE',
        [template.id],
      );
      const current = locked.rows[0]?.current_version;
      if (!current) throw new ConflictError('This template is not published: there is no version to submit to');
      if (current !== version.version) return current;
      const refused = await this.uniqueRefusals(tx, ctx, template.id, accepted);
      const kept = accepted.filter((a) => !refused.has(a.index));
      const created = new Map<number, { id: string; reviewStatus: ReviewStatus }>();
      if (kept.length === 0) return { created, refused, raced: [] };

      const rows = await tx.query<{ id: string; idempotency_key: string }>(
        `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, review_status,
                                  submitted_at, idempotency_key, idempotency_hash)
         SELECT $1, $2, $3, $4, x.payload, x.review_status, CASE WHEN x.review_status = 'draft' THEN NULL ELSE now() END, x.key, x.hash
           FROM ROWS FROM (jsonb_to_recordset($5::jsonb) AS (payload jsonb, review_status text, key text, hash text))
                WITH ORDINALITY AS x(payload, review_status, key, hash, i)
          ORDER BY x.i
         ON CONFLICT ON CONSTRAINT submissions_idempotency_key DO NOTHING
         RETURNING id, idempotency_key`,
        [
          template.id,
          version.version,
          template.grid_id,
          ctx.actor!.id,
          JSON.stringify(
            kept.map((a) => ({
              payload: a.data,
              review_status: a.draft ? 'draft' : 'submitted',
              key: a.key,
              hash: a.hash,
            })),
          ),
        ],
      );
      const ids = new Map(rows.rows.map((r) => [r.idempotency_key, String(r.id)]));
      const raced = kept.filter((a) => !ids.has(a.key));
      const stored = kept.filter((a) => ids.has(a.key)).map((a) => ({ ...a, id: ids.get(a.key)! }));
      for (const a of stored) created.set(a.index, { id: a.id, reviewStatus: a.draft ? 'draft' : 'submitted' });
      const submitted = stored.filter((a) => !a.draft);

      const reservations = submitted.flatMap((a) =>
        a.unique.map((u) => ({ submission_id: a.id, field_id: u.fieldId, field_type: u.fieldType, value: u.value })),
      );
      if (reservations.length) {
        await tx
          .query(
            `INSERT INTO submission_unique_values (template_id, field_id, value, submission_id)
           SELECT $1, w.field_id, w.value, w.submission_id
             FROM (SELECT a.submission_id, a.field_id, gridbook_unique_value(a.field_type, a.value) AS value
                     FROM jsonb_to_recordset($2::jsonb) AS a(submission_id bigint, field_id text, field_type text, value jsonb)) w
            WHERE w.value IS NOT NULL`,
            [template.id, JSON.stringify(reservations)],
          )
          .catch((error: unknown) => {
            throw isPgError(error) && error.code === '23505' && error.constraint === RESERVATION_CONSTRAINT
              ? new ReservationRaced()
              : error;
          });
      }
      if (template.review_mode === 'section' && submitted.length) {
        await tx.query(
          `INSERT INTO submission_section_reviews (submission_id, section_id)
           SELECT s.id, section_id FROM unnest($1::bigint[]) AS s(id), unnest($2::text[]) AS section_id`,
          [submitted.map((a) => a.id), version.definition.sections.map((s) => s.id)],
        );
      }
      await recordAuditBatch(
        tx,
        ctx,
        stored.map((a): AuditInput => ({
          action: a.draft ? 'submission.save_draft' : 'submission.create',
          entityType: 'submission',
          entityId: a.id,
          gridId: template.grid_id,
          after: {
            templateId: template.id,
            version: version.version,
            reviewStatus: a.draft ? 'draft' : 'submitted',
            batch: true,
          },
        })),
      );
      return { created, refused, raced };
    });
  }

  /**
   * The answers refused for their unique values, in the batch's order: a value a stored
   * submission holds, or one an earlier kept answer of this batch holds. Values are compared as
   * reservations compare them (normaliseAnswers).
   */
  private async uniqueRefusals(
    tx: Queryable,
    ctx: ServiceContext,
    templateId: string,
    accepted: Accepted[],
  ): Promise<Map<number, AppError>> {
    const refused = new Map<number, AppError>();
    const owners = accepted.flatMap((a) => a.unique.map((answer) => ({ a, answer })));
    if (owners.length === 0) return refused;
    const normalised = await normaliseAnswers(
      tx,
      templateId,
      owners.map((o) => o.answer),
    );
    const byAnswer = new Map<UniqueAnswer, { value: string | null; held: boolean }>(
      owners.map((o, i) => [o.answer, normalised[i]!]),
    );
    const taken = new Map<string, number>(); // field id + value -> index of the answer holding it
    for (const a of accepted) {
      const mine = a.unique.map((answer) => ({ answer, ...byAnswer.get(answer)! })).filter((u) => u.value !== null);
      const held = mine.filter((u) => u.held).map((u) => u.answer);
      const siblings = mine.flatMap((u) => {
        const holder = taken.get(`${u.answer.fieldId}\u0000${u.value}`);
        return holder === undefined ? [] : [{ answer: u.answer, holder }];
      });
      if (held.length === 0 && siblings.length === 0) {
        for (const u of mine) taken.set(`${u.answer.fieldId}\u0000${u.value}`, a.index);
        continue;
      }
      const stored = held.length ? await duplicatesOf(tx, ctx, templateId, held) : null;
      const details = [
        ...(stored?.details ?? []),
        ...siblings.map(({ answer, holder }) => ({
          path: answer.path,
          label: answer.label,
          code: 'unique',
          message: `answer ${holder} of this batch already has this value (${answer.label} must be unique in this form)`,
        })),
      ];
      refused.set(
        a.index,
        details.length
          ? new DuplicateValueError(details as ConstructorParameters<typeof DuplicateValueError>[0])
          : new ConflictError('A unique value of this answer changed hands meanwhile: send it again'),
      );
    }
    return refused;
  }
}

/** A unique value taken by a concurrent request between the check and the insert (the batch tries again). */
class ReservationRaced extends Error {}
