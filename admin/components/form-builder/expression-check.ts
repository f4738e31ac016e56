import { expressionItems } from '../../../src/rules/expression-items.js';
import { buildCatalog, checkExpressions } from '../../../src/rules/expressions/index.js';
import type { Definition } from '../../../src/templates/definition.schema.js';

/**
 * The builder's check of every expression of the definition being edited: the checker the server
 * runs at save and publish (src/rules/expressions), with the same paths
 * (`sections[0].fields[3].showIf`, `sections[0].constraints[0].expression`).
 */
export function expressionProblemList(definition: Definition): { path: string; message: string }[] {
  try {
    const items = expressionItems(definition);
    if (!items.length) return [];
    return checkExpressions(buildCatalog(definition), items).problems.map((p) => ({
      path: p.path,
      message: p.message,
    }));
  } catch {
    // A definition mid-edit may not have the shape yet (the JSON tab): the server will say what is wrong.
    return [];
  }
}
