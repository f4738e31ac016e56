/**
 * One rules engine (see docs and DESIGN.md "One rules engine"): a form version's rules compiled
 * once and used by the builder's preview, the admin fill page, the API and the worker. Imports
 * nothing Node-only: the admin panel bundles it for the browser.
 */
export { compileRules, type CheckOptions, type CompiledRules, type Problem, type Verdict } from './engine.js';
export { canonical, conditionHolds } from './relevance.js';
export { fixedClock, systemClock, type ExpressionClock } from './expressions/index.js';
export { patternProblem } from './pattern.js';
export { MESSAGES } from './messages.js';
