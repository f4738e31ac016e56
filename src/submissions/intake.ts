import { createHash } from 'node:crypto';
import type { ServiceContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { BadRequestError, ConflictError, ForbiddenError } from '../errors/app-error.js';
import { assertNoFilesOnCreate } from '../files/file-fields.js';
import { can } from '../permissions/policy.js';
import { assertAnswer } from '../rules/assert.js';
import { rulesFor, type VersionInfo } from '../templates/catalog.js';
import type { TemplateHeader } from '../templates/templates.repository.js';
import { authorizeTemplateHeader } from '../permissions/record-access.js';
import type { CreateSubmissionInput } from './submissions.schema.js';
import { uniqueAnswers, type UniqueAnswer } from './unique-values.js';

/**
 * What every new answer goes through, whichever door it comes in by (one submission, or a batch
 * of them): who may answer the template, the idempotency key and its request fingerprint, and the
 * judge. One place, so the single and the batch endpoint cannot disagree.
 */

export const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9._:-]{1,200}$';
const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

export function assertIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new BadRequestError('Idempotency-Key must be 1 to 200 letters, digits or ._:- characters');
  }
}

/**
 * The fingerprint a key is remembered with: a replay must be the same request. The same answer
 * sent alone or inside a batch has the same fingerprint, so a client may retry either way.
 */
export function requestHashOf(templateId: string, input: CreateSubmissionInput): string {
  return createHash('sha256').update(JSON.stringify({ templateId, input })).digest('hex');
}

/** The template, when the caller may submit answers to it and it has a published version. */
export async function templateOpenForAnswers(
  db: Queryable,
  ctx: ServiceContext,
  templateId: string,
): Promise<TemplateHeader & { current_version: number }> {
  const { template, role } = await authorizeTemplateHeader(db, ctx, templateId, 'read');
  if (!can(ctx.actor, 'create', { type: 'submission', gridRole: role, own: true })) {
    throw new ForbiddenError('Only submitters, builders and managers of this grid submit forms');
  }
  if (!template.current_version || template.status !== 'published') {
    throw new ConflictError('This template is not published: there is no version to submit to');
  }
  return template as TemplateHeader & { current_version: number };
}

export interface Judged {
  /** The answer as judged (defaults, calculated values): what is stored. */
  data: Record<string, unknown>;
  /** The unique values it reserves (none for a draft). */
  unique: UniqueAnswer[];
}

/**
 * Judges a new answer against `version` (the template's current one); throws ValidationError,
 * its messages in the language the caller reads (`ctx.languages`) when the form has it. Its file
 * fields stay empty unless `pendingFiles` (the caller then checks and attaches the uploads they
 * name: checkPendingFiles, attachPendingFiles).
 */
export function judgeNewAnswer(
  version: VersionInfo,
  answer: Record<string, unknown>,
  draft: boolean,
  ctx: { languages?: readonly string[] },
  options: { pendingFiles?: boolean } = {},
): Judged {
  if (!options.pendingFiles) assertNoFilesOnCreate(version.definition, answer);
  const rules = rulesFor(version, ctx);
  const data = assertAnswer(rules, answer, { draft });
  return { data, unique: draft ? [] : uniqueAnswers(version.definition, data, rules) };
}
