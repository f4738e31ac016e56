/**
 * The value a payload object holds under a key, as its own property only. Keys are chosen by form
 * builders ("constructor", "toString" are fine field keys), so a payload is never read through
 * Object.prototype: a field left out reads as undefined, not as a function.
 */
export function own(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && Object.hasOwn(obj, key)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}
