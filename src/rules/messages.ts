import type { LocalizedField as Field, LocalizedTable as RepeatingTable } from '../templates/definition.schema.js';
import type { GeopointPart } from '../templates/field-types.js';
import { dateBounds, numberBounds, numberIn, optionLabels, range } from './message-format.js';
import { FRENCH } from './messages.fr.js';
import { SWAHILI } from './messages.sw.js';

/**
 * Every message an answer can get from the engine itself (required, types, ranges, formats,
 * counts, shapes), in one place, written for the person filling the form (the field's label
 * travels beside the message, so messages do not repeat it). The API, the fill page and the
 * preview show these very strings. The builder's own words (constraint and pattern messages) come
 * from the definition, in the form's language; these come from a catalogue per language
 * (English here, Swahili and French beside it), chosen by the same negotiation as the form's
 * texts (src/rules/language.ts pickLanguage). A message a catalogue lacks, or a language with no
 * catalogue, is English.
 */

const num = numberIn(',', '.');
const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

const fmt = (n: number | undefined) => (n === undefined ? undefined : num(n));
const numberRange = (field: Field) => {
  const [min, max] = numberBounds(field);
  return range(fmt(min), fmt(max), {
    from: (a, b) => `from ${a} to ${b}`,
    atLeast: (a) => `of at least ${a}`,
    atMost: (b) => `of at most ${b}`,
  });
};
const dateRange = (field: Field) => {
  const [min, max] = dateBounds(field);
  const r = range(min, max, {
    from: (a, b) => `from ${a} to ${b}`,
    atLeast: (a) => `on or after ${a}`,
    atMost: (b) => `on or before ${b}`,
  });
  return r ? `,${r}` : '';
};

/** What a required answer of each kind asks for. */
const REQUIRED: Partial<Record<Field['type'], string>> = {
  single_choice: 'This answer is required: choose an option',
  multiple_choice: 'This answer is required: choose an option',
  file: 'This answer is required: attach a file',
  boolean: 'This answer is required: answer yes or no',
  geopoint: 'This answer is required: give the location',
  signature: 'This answer is required: sign in the box',
};

export const ENGLISH = {
  required: (field: Field) => REQUIRED[field.type] ?? 'This answer is required',
  integer: (field: Field) => `Enter a whole number${numberRange(field)}`,
  decimal: (field: Field) => `Enter a number${numberRange(field)}`,
  boolean: () => 'Answer yes or no',
  text: () => 'Enter text',
  length: (min: number | undefined, max: number | undefined) => {
    if (min !== undefined && max !== undefined)
      return min === max
        ? `Enter exactly ${plural(min, 'character')}`
        : `Enter from ${num(min)} to ${plural(max, 'character')}`;
    if (min !== undefined) return `Enter at least ${plural(min, 'character')}`;
    return `Enter at most ${plural(max ?? 0, 'character')}`;
  },
  pattern: (field: Field) => field.rules?.patternMessage ?? 'Enter the answer in the format this question asks for',
  email: () => 'Enter an email address like name@example.org',
  url: () => 'Enter a web address starting with http:// or https://, like https://example.org',
  date: (field: Field) => `Enter a date like 2024-03-31${dateRange(field)}`,
  datetime: (field: Field) => `Enter a date and time with its time zone, like 2024-03-31T14:30:00Z${dateRange(field)}`,
  time: () => 'Enter a time like 14:30 or 14:30:15',
  singleChoice: (field: Field) => `Choose one of: ${optionLabels(field)}`,
  multipleChoice: (field: Field) => `Choose from: ${optionLabels(field)}`,
  choiceTwice: () => 'Choose each option once',
  choiceCount: (field: Field) => {
    const min = field.rules?.minItems;
    const max = field.rules?.maxItems;
    if (min !== undefined && max !== undefined)
      return min === max
        ? `Choose exactly ${plural(min, 'option')}`
        : `Choose from ${num(min)} to ${plural(max, 'option')}`;
    if (min !== undefined) return `Choose at least ${plural(min, 'option')}`;
    return `Choose at most ${plural(max ?? 0, 'option')}`;
  },
  files: () => 'Attach files by their ids (as returned by the upload)',
  fileCount: (field: Field, max: number) => {
    const min = field.rules?.minItems;
    if (min !== undefined && min > 0) return `Attach from ${num(min)} to ${plural(max, 'file')}`;
    return `Attach at most ${plural(max, 'file')}`;
  },
  geopoint: () => 'Enter a location as latitude and longitude in decimal degrees',
  geopointPart: () => 'A location has only a latitude, a longitude, an altitude and an accuracy',
  geopointRange: (part: GeopointPart) =>
    part.key === 'latitude'
      ? 'Enter a latitude from -90 to 90'
      : part.key === 'longitude'
        ? 'Enter a longitude from -180 to 180'
        : part.key === 'altitude'
          ? `Enter an altitude in metres, from ${num(part.min)} to ${num(part.max)}`
          : `Enter an accuracy in metres, from 0 to ${num(part.max)}`,
  signature: () => 'Sign once: a signature is one drawing, uploaded as a PNG (its file id)',
  rows: () => 'Enter the rows of this table as a list',
  row: () => 'Enter this row as an object of its columns',
  rowCount: (table: RepeatingTable, draft: boolean) => {
    const min = draft ? undefined : table.minRows;
    const max = table.maxRows;
    if (min !== undefined && min > 0 && max !== undefined)
      return min === max ? `Add exactly ${plural(min, 'row')}` : `Add from ${num(min)} to ${plural(max, 'row')}`;
    if (min !== undefined && min > 0) return `Add at least ${plural(min, 'row')}`;
    return `Add at most ${plural(max ?? 0, 'row')}`;
  },
  section: () => 'Enter the answers of this section as an object of its questions',
  answer: () => 'Send the answer as an object of its sections',
  unknownSection: () => 'This form has no section with this key',
  unknownField: () => 'This section has no question with this key',
  unknownColumn: () => 'This table has no column with this key',
};

/** The engine's messages in one language. */
export type Messages = typeof ENGLISH;

/** The catalogues by primary language subtag; English is the fallback of every message. */
const CATALOGUES: Readonly<Record<string, Partial<Messages>>> = { sw: SWAHILI, fr: FRENCH };

/** The languages the engine has its own messages in (besides English, the fallback). */
export const MESSAGE_LANGUAGES = ['en', ...Object.keys(CATALOGUES)] as const;

const byLanguage = new Map<string, Messages>();

/**
 * The engine's messages in a language (`sw`, `sw-KE`, `fr-CA`: by exact code, then primary
 * subtag), each missing one in English; English for undefined or a language with no catalogue.
 */
export function messagesIn(language: string | undefined): Messages {
  const key = language?.toLowerCase() ?? 'en';
  let found = byLanguage.get(key);
  if (!found) {
    const catalogue =
      (Object.hasOwn(CATALOGUES, key) ? CATALOGUES[key] : undefined) ??
      (Object.hasOwn(CATALOGUES, key.split('-')[0]!) ? CATALOGUES[key.split('-')[0]!] : undefined);
    found = catalogue ? { ...ENGLISH, ...catalogue } : ENGLISH;
    byLanguage.set(key, found);
  }
  return found;
}

/** The English messages (the fallback of every language). */
export const MESSAGES: Messages = ENGLISH;
