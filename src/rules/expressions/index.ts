/**
 * Form expressions (`${adults} + ${children}`, `${end} >= ${start}`): a small, safe language with
 * a parser of its own, a static checker and an evaluator compiled to closures. Browser-safe (no
 * Node API): the rules engine bundles it for the fill page and the builder's preview.
 *
 * The engine's use: once per definition, `buildCatalog(definition)` and
 * `checkExpressions(catalog, items)` (every showIf, required, constraint, calculation and default,
 * each with its path), which refuses unknown keys, type mismatches and cycles; then
 * `compileExpression(checked)` for each; then per answer `evaluate(answer, { row, clock })` for a
 * value (calculated, default) or `holds(...)` for a decision (showIf, required, constraints),
 * computing calculations and defaults in `order`.
 */
export {
  buildCatalog,
  typeOfField,
  typeName,
  type Catalog,
  type CatalogField,
  type DefinitionDescription,
  type ExprType,
  type Scalar,
  type CalculatedResultType,
  CALCULATED_RESULT_TYPES,
} from './catalog.js';
export {
  checkExpression,
  FUNCTIONS,
  type CheckedExpression,
  type CheckResult,
  type ExpressionContext,
  type ExpressionProblem,
  type ProblemCode,
} from './check.js';
export { checkExpressions, type CheckedDefinition, type ExpressionItem, type ExpressionRole } from './definition.js';
export {
  compileExpression,
  fixedClock,
  systemClock,
  type CompiledExpression,
  type EvaluateOptions,
  type ExpressionClock,
} from './evaluate.js';
export { parseExpression, ExpressionSyntaxError, MAX_DEPTH, MAX_LENGTH, MAX_NESTING, type Node } from './parse.js';
