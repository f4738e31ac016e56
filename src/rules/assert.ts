import { ValidationError } from '../errors/app-error.js';
import type { CheckOptions, CompiledRules, Problem } from './engine.js';

/** The summary line of a verdict: "Household › Size: Enter a whole number from 1 to 50 (and 2 more problems)". */
export function summarizeProblems(problems: Problem[]): string {
  const first = problems[0];
  if (!first) return 'The answer is accepted';
  const where = first.label || first.path;
  const head = where ? `${where}: ${first.message}` : first.message;
  return problems.length === 1
    ? head
    : `${head} (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`;
}

/**
 * Judges an answer on the server (API, review): throws ValidationError (422) with every problem.
 * Returns the answer as judged, defaults filled and calculated fields computed: what is stored,
 * so the worker projects exactly what was accepted.
 */
export function assertAnswer<T>(rules: CompiledRules, answer: T, options: CheckOptions = {}): T {
  const verdict = rules.judge(answer, options);
  if (verdict.problems.length) throw new ValidationError(summarizeProblems(verdict.problems), verdict.problems);
  return verdict.answer as T;
}
