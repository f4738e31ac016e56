import type { LocalizedField as Field, LocalizedTable as RepeatingTable } from '../templates/definition.schema.js';
import type { GeopointPart } from '../templates/field-types.js';
import { dateBounds, numberBounds, numberIn, optionLabels, range } from './message-format.js';
import type { Messages } from './messages.js';

/**
 * The engine's messages in Swahili (Kiswahili), message for message as the English ones
 * (messages.ts). Numbers are written as in English (`1,000.5`); a count follows its noun
 * (`herufi 5`, `safu 2`). A message left out here is shown in English.
 */

const num = numberIn(',', '.');
const fmt = (n: number | undefined) => (n === undefined ? undefined : num(n));
const numberRange = (field: Field) => {
  const [min, max] = numberBounds(field);
  return range(fmt(min), fmt(max), {
    from: (a, b) => `kuanzia ${a} hadi ${b}`,
    atLeast: (a) => `isiyopungua ${a}`,
    atMost: (b) => `isiyozidi ${b}`,
  });
};
const dateRange = (field: Field) => {
  const [min, max] = dateBounds(field);
  const r = range(min, max, {
    from: (a, b) => `kuanzia ${a} hadi ${b}`,
    atLeast: (a) => `siku ya ${a} au baadaye`,
    atMost: (b) => `siku ya ${b} au kabla yake`,
  });
  return r ? `,${r}` : '';
};

/** "from 2 to 5 <nouns>", "at least 3 <nouns>", "at most 10 <nouns>", "exactly 4 <nouns>": the noun first, as Swahili counts. */
function counted(
  min: number | undefined,
  max: number | undefined,
  noun: { one: string; many: string },
  atMost: string,
): string {
  const n = (x: number) => `${x === 1 ? noun.one : noun.many} ${num(x)}`;
  if (min !== undefined && max !== undefined)
    return min === max ? `${n(min)} hasa` : `${noun.many} ${num(min)} hadi ${num(max)}`;
  if (min !== undefined) return `angalau ${n(min)}`;
  return `${noun.many} ${atMost} ${num(max ?? 0)}`;
}

const REQUIRED: Partial<Record<Field['type'], string>> = {
  single_choice: 'Jibu hili linahitajika: chagua chaguo',
  multiple_choice: 'Jibu hili linahitajika: chagua chaguo',
  file: 'Jibu hili linahitajika: ambatisha faili',
  boolean: 'Jibu hili linahitajika: jibu ndiyo au hapana',
  geopoint: 'Jibu hili linahitajika: toa mahali',
  signature: 'Jibu hili linahitajika: weka sahihi kwenye kisanduku',
};

const CHARACTERS = { one: 'herufi', many: 'herufi' };
const OPTIONS = { one: 'chaguo', many: 'machaguo' };
const FILES = { one: 'faili', many: 'faili' };
const ROWS = { one: 'safu', many: 'safu' };

export const SWAHILI: Partial<Messages> = {
  required: (field: Field) => REQUIRED[field.type] ?? 'Jibu hili linahitajika',
  integer: (field: Field) => `Weka namba kamili${numberRange(field)}`,
  decimal: (field: Field) => `Weka namba${numberRange(field)}`,
  boolean: () => 'Jibu ndiyo au hapana',
  text: () => 'Weka maandishi',
  length: (min: number | undefined, max: number | undefined) => `Weka ${counted(min, max, CHARACTERS, 'zisizozidi')}`,
  pattern: (field: Field) => field.rules?.patternMessage ?? 'Weka jibu katika muundo unaoombwa na swali hili',
  email: () => 'Weka anwani ya barua pepe kama jina@example.org',
  url: () => 'Weka anwani ya wavuti inayoanza na http:// au https://, kama https://example.org',
  date: (field: Field) => `Weka tarehe kama 2024-03-31${dateRange(field)}`,
  datetime: (field: Field) =>
    `Weka tarehe na saa pamoja na kanda yake ya saa, kama 2024-03-31T14:30:00Z${dateRange(field)}`,
  time: () => 'Weka saa kama 14:30 au 14:30:15',
  singleChoice: (field: Field) => `Chagua moja kati ya: ${optionLabels(field)}`,
  multipleChoice: (field: Field) => `Chagua kutoka: ${optionLabels(field)}`,
  choiceTwice: () => 'Chagua kila chaguo mara moja tu',
  choiceCount: (field: Field) =>
    `Chagua ${counted(field.rules?.minItems, field.rules?.maxItems, OPTIONS, 'yasiyozidi')}`,
  files: () => 'Ambatisha faili kwa vitambulisho vyake (kama upakiaji ulivyovirudisha)',
  fileCount: (field: Field, max: number) => {
    const min = field.rules?.minItems;
    return `Ambatisha ${counted(min !== undefined && min > 0 ? min : undefined, max, FILES, 'zisizozidi')}`;
  },
  geopoint: () => 'Weka mahali kama latitudo na longitudo kwa nyuzi za desimali',
  geopointPart: () => 'Mahali pana latitudo, longitudo, mwinuko na usahihi tu',
  geopointRange: (part: GeopointPart) =>
    part.key === 'latitude'
      ? 'Weka latitudo kuanzia -90 hadi 90'
      : part.key === 'longitude'
        ? 'Weka longitudo kuanzia -180 hadi 180'
        : part.key === 'altitude'
          ? `Weka mwinuko kwa mita, kuanzia ${num(part.min)} hadi ${num(part.max)}`
          : `Weka usahihi kwa mita, kuanzia 0 hadi ${num(part.max)}`,
  signature: () => 'Weka sahihi mara moja: sahihi ni mchoro mmoja, uliopakiwa kama PNG (kitambulisho cha faili lake)',
  rows: () => 'Weka safu za jedwali hili kama orodha',
  row: () => 'Weka safu hii kama kitu chenye safu wima zake',
  rowCount: (table: RepeatingTable, draft: boolean) => {
    const min = draft ? undefined : table.minRows;
    return `Ongeza ${counted(min !== undefined && min > 0 ? min : undefined, table.maxRows, ROWS, 'zisizozidi')}`;
  },
  section: () => 'Weka majibu ya sehemu hii kama kitu chenye maswali yake',
  answer: () => 'Tuma jibu kama kitu chenye sehemu zake',
  unknownSection: () => 'Fomu hii haina sehemu yenye ufunguo huu',
  unknownField: () => 'Sehemu hii haina swali lenye ufunguo huu',
  unknownColumn: () => 'Jedwali hili halina safu wima yenye ufunguo huu',
};
