import { RE2JS } from 're2js';

/**
 * Builders' `pattern` rules run on RE2 (re2js, a JavaScript port): matching takes time linear in
 * the answer's length whatever the pattern, so `^(a+)+$` on a long near-miss answers in
 * milliseconds and no rule needs a clock. Patterns are written in the JavaScript syntax the
 * published JSON Schema carries; RE2 runs that syntax except backreferences and lookarounds, which
 * are refused when a definition is saved or published (patternProblem).
 *
 * Like JSON Schema's `pattern`, a pattern matches anywhere in the answer unless anchored.
 */

export interface Pattern {
  test(value: string): boolean;
}

// Compiled patterns are shared by every version that uses them (versions are immutable, patterns repeat).
const cache = new Map<string, Pattern>();
const MAX_CACHED = 5000;

/** `\1`..`\9` or `\k<name>` outside a character class: a backreference. */
function hasBackreference(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))) return true;
      i++;
    } else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
  }
  return false;
}

function compile(pattern: string): Pattern {
  if (hasBackreference(pattern)) throw new Error('uses a backreference');
  return RE2JS.compile(RE2JS.translateRegExp(pattern));
}

/**
 * Why a builder's pattern cannot be used, in words for the builder, or null when it can. It must be
 * a valid JavaScript regular expression (the published JSON Schema carries it) that RE2 runs.
 */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'is not a valid regular expression';
  }
  try {
    compile(pattern);
    return null;
  } catch {
    return (
      'uses a construct that cannot be checked in linear time (a backreference like \\1, ' +
      'or a lookahead or lookbehind like (?=...) or (?!...)): rewrite the pattern without it'
    );
  }
}

/** The compiled pattern (cached). Throws for a pattern that patternProblem refuses. */
export function compilePattern(pattern: string): Pattern {
  let found = cache.get(pattern);
  if (!found) {
    found = compile(pattern);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(pattern, found);
  }
  return found;
}
