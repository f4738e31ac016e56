import type { LocalizedField as Field } from '../templates/definition.schema.js';

/** What the catalogues of the engine's messages share (messages.ts and one file per language). */

/** Numbers as a language writes them: `1,000.5` in English and Swahili, `1 000,5` in French. */
export const numberIn = (thousands: string, decimal: string) => (n: number) =>
  n.toLocaleString('en-US', { maximumFractionDigits: 20 }).replace(/[,.]/g, (c) => (c === ',' ? thousands : decimal));

/** The bounds of a field's rules, as they are written in messages (undefined: no bound). */
export const numberBounds = (field: Field): [number | undefined, number | undefined] => [
  typeof field.rules?.min === 'number' ? field.rules.min : undefined,
  typeof field.rules?.max === 'number' ? field.rules.max : undefined,
];
export const dateBounds = (field: Field): [string | undefined, string | undefined] => [
  typeof field.rules?.min === 'string' ? field.rules.min : undefined,
  typeof field.rules?.max === 'string' ? field.rules.max : undefined,
];

/** " from 0 to 30", " of at least 0", " of at most 30", or "" (no bound), in a language's words. */
export function range(
  min: string | undefined,
  max: string | undefined,
  words: { from: (a: string, b: string) => string; atLeast: (a: string) => string; atMost: (b: string) => string },
): string {
  if (min !== undefined && max !== undefined) return ` ${words.from(min, max)}`;
  if (min !== undefined) return ` ${words.atLeast(min)}`;
  if (max !== undefined) return ` ${words.atMost(max)}`;
  return '';
}

export const optionLabels = (field: Field) => (field.options ?? []).map((o) => o.label).join(', ');
