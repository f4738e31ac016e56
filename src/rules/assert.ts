import { ValidationError } from '../errors/app-error.js';
import type { CheckOptions, CompiledRules, Problem } from './engine.js';

/** The summary line of a verdict: "Household › Size: Enter a whole number from 1 to 50 (and 2 more problems)". */
export function summarizeProblems(problems: Problem[]): string {
  const first = problems[0];
  if (!first) return 'The answer is accepted';
  const where = first.label || first.path;
  const head = where ? `${where}: ${first.message}` : first.message;
  return problems.length === 1 ? head : `${head} (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`;
}

/** Judges an answer on the server (API, review): throws ValidationError (422) with every problem. */
export function assertAnswer(rules: CompiledRules, answer: unknown, options: CheckOptions = {}): void {
  const problems = rules.check(answer, options);
  if (problems.length) throw new ValidationError(summarizeProblems(problems), problems);
}
