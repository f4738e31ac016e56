import type { Definition } from '../templates/definition.schema.js';
import type { Payload } from './projection.js';
import { own } from '../templates/own.js';

/**
 * Processing steps: the extension point of submission processing. A step runs in the worker for
 * every submission it applies to, inside the projection transaction, before the typed rows are
 * written (the answer was judged at the API when it was accepted; a step does not judge it again).
 * It returns the values to project (it never changes the stored payload, which stays the complete
 * answer as sent). Throwing a ValidationError marks the submission failed ("A processing step
 * refused it: <message>"), for an answer the step cannot process at all; any other error is retried.
 *
 * Steps must be deterministic (processing may run twice). Calls to other systems that should not
 * wait on the transaction belong after it: enqueue a job (webhooks do) rather than call out here.
 *
 * Register steps in the worker's composition root (src/worker.ts): `new ProcessingService({ steps })`.
 */
export interface ProcessingStep {
  name: string;
  /** Which templates it applies to (all when omitted): by id, or a predicate on the definition. */
  appliesTo?: (template: { templateId: string; definition: Definition }) => boolean;
  run(input: StepInput): Payload | Promise<Payload>;
}

export interface StepInput {
  submissionId: string;
  templateId: string;
  payload: Payload;
  definition: Definition;
}

/** Whether a step runs for a template's version (a step without `appliesTo` runs for all). */
export function stepApplies(step: ProcessingStep, template: { templateId: string; definition: Definition }): boolean {
  return !step.appliesTo || step.appliesTo(template);
}

export async function runSteps(steps: ProcessingStep[], input: StepInput): Promise<Payload> {
  let payload = input.payload;
  for (const step of steps) {
    if (!stepApplies(step, input)) continue;
    payload = await step.run({ ...input, payload });
  }
  return payload;
}

/**
 * The worked example: derived row counts. For a repeating table `members`, an integer field
 * `members_count` in the same section (if the template has one) receives the number of rows, so
 * the section table can be filtered and summed on it without joining the child table.
 */
export const rowCountStep: ProcessingStep = {
  name: 'row-counts',
  appliesTo: ({ definition }) =>
    definition.sections.some((s) =>
      (s.tables ?? []).some((t) => s.fields.some((f) => f.key === `${t.key}_count` && f.type === 'integer')),
    ),
  run: ({ payload, definition }) => {
    const next: Payload = { ...payload };
    for (const section of definition.sections) {
      const values = { ...((own(payload, section.key) ?? {}) as Record<string, unknown>) };
      for (const table of section.tables ?? []) {
        const counter = section.fields.find((f) => f.key === `${table.key}_count` && f.type === 'integer');
        if (counter) {
          const rows = own(values, table.key);
          values[counter.key] = Array.isArray(rows) ? rows.length : 0;
        }
      }
      next[section.key] = values;
    }
    return next;
  },
};

/** The steps every worker runs unless configured otherwise. */
export const DEFAULT_STEPS: ProcessingStep[] = [rowCountStep];
