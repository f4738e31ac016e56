import type { Field, RepeatingTable } from '../templates/definition.schema.js';
import type { GeopointPart } from '../templates/field-types.js';

/**
 * Every message an answer can get, in one place, written for the person filling the form (the
 * field's label travels beside the message, so messages do not repeat it). The API, the fill page
 * and the preview show these very strings.
 */

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const num = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 20 });

/** "from 0 to 30", "of at least 0", "of at most 30", or "" (no bound). */
function range(min: string | undefined, max: string | undefined, words: { from: string; atLeast: string; atMost: string }): string {
  if (min !== undefined && max !== undefined) return ` ${words.from} ${min} to ${max}`;
  if (min !== undefined) return ` ${words.atLeast} ${min}`;
  if (max !== undefined) return ` ${words.atMost} ${max}`;
  return '';
}

const numberRange = (field: Field) =>
  range(typeof field.rules?.min === 'number' ? num(field.rules.min) : undefined, typeof field.rules?.max === 'number' ? num(field.rules.max) : undefined, {
    from: 'from',
    atLeast: 'of at least',
    atMost: 'of at most',
  });

const dateRange = (field: Field) =>
  range(typeof field.rules?.min === 'string' ? field.rules.min : undefined, typeof field.rules?.max === 'string' ? field.rules.max : undefined, {
    from: 'from',
    atLeast: 'on or after',
    atMost: 'on or before',
  });

const optionLabels = (field: Field) => (field.options ?? []).map((o) => o.label).join(', ');

/** What a required answer of each kind asks for. */
const REQUIRED: Partial<Record<Field['type'], string>> = {
  single_choice: 'This answer is required: choose an option',
  multiple_choice: 'This answer is required: choose an option',
  file: 'This answer is required: attach a file',
  boolean: 'This answer is required: answer yes or no',
  geopoint: 'This answer is required: give the location',
  signature: 'This answer is required: sign in the box',
};

export const MESSAGES = {
  required: (field: Field) => REQUIRED[field.type] ?? 'This answer is required',
  integer: (field: Field) => `Enter a whole number${numberRange(field)}`,
  decimal: (field: Field) => `Enter a number${numberRange(field)}`,
  boolean: () => 'Answer yes or no',
  text: () => 'Enter text',
  length: (min: number | undefined, max: number | undefined) => {
    if (min !== undefined && max !== undefined) return min === max ? `Enter exactly ${plural(min, 'character')}` : `Enter from ${num(min)} to ${plural(max, 'character')}`;
    if (min !== undefined) return `Enter at least ${plural(min, 'character')}`;
    return `Enter at most ${plural(max ?? 0, 'character')}`;
  },
  pattern: (field: Field) => field.rules?.patternMessage ?? 'Enter the answer in the format this question asks for',
  email: () => 'Enter an email address like name@example.org',
  url: () => 'Enter a web address starting with http:// or https://, like https://example.org',
  date: (field: Field) => `Enter a date like 2024-03-31${dateRange(field) ? `,${dateRange(field)}` : ''}`,
  datetime: (field: Field) => `Enter a date and time with its time zone, like 2024-03-31T14:30:00Z${dateRange(field) ? `,${dateRange(field)}` : ''}`,
  time: () => 'Enter a time like 14:30 or 14:30:15',
  singleChoice: (field: Field) => `Choose one of: ${optionLabels(field)}`,
  multipleChoice: (field: Field) => `Choose from: ${optionLabels(field)}`,
  choiceTwice: () => 'Choose each option once',
  choiceCount: (field: Field) => {
    const min = field.rules?.minItems;
    const max = field.rules?.maxItems;
    if (min !== undefined && max !== undefined) return min === max ? `Choose exactly ${plural(min, 'option')}` : `Choose from ${num(min)} to ${plural(max, 'option')}`;
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
    if (min !== undefined && min > 0 && max !== undefined) return min === max ? `Add exactly ${plural(min, 'row')}` : `Add from ${num(min)} to ${plural(max, 'row')}`;
    if (min !== undefined && min > 0) return `Add at least ${plural(min, 'row')}`;
    return `Add at most ${plural(max ?? 0, 'row')}`;
  },
  section: () => 'Enter the answers of this section as an object of its questions',
  answer: () => 'Send the answer as an object of its sections',
  unknownSection: () => 'This form has no section with this key',
  unknownField: () => 'This section has no question with this key',
  unknownColumn: () => 'This table has no column with this key',
} as const;
