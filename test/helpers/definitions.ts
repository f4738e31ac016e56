import { ValidationError } from '../../src/errors/app-error.js';
import { validateDefinition } from '../../src/templates/definition.validate.js';

/** What validating a definition refuses, as `path: message` lines (empty when it is accepted). */
export function definitionProblems(raw: unknown): string[] {
  try {
    validateDefinition(raw);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.details.map((d) => `${d.path}: ${d.message}`);
  }
}
