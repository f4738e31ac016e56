import { defaultLanguageOf, textIn, type Languages, type LocalText } from '../rules/language.js';

/**
 * A path into a template definition, as validation reports it (`sections[0].fields[1].key`), in
 * the words of the person who built the form: `Section "Household", field "Adults" (2nd): key`.
 * The API keeps the machine path (`errors[].path`); this is for notices a person reads. Numbers
 * are 1-based. Reads the definition defensively: it may be the very definition that was refused.
 */
export function describeDefinitionPath(definition: unknown, path: string): string {
  const def = isObj(definition) ? definition : {};
  const language = defaultLanguageOf({
    defaultLanguage: typeof def.defaultLanguage === 'string' ? def.defaultLanguage : undefined,
    languages: Array.isArray(def.languages) ? (def.languages as string[]) : undefined,
  } satisfies Languages);
  const name = (item: unknown, kind: string, index: number, ordinal: boolean): string => {
    const obj = isObj(item) ? item : {};
    const label = textIn(obj.label as LocalText | undefined, language, undefined).trim();
    const key = typeof obj.key === 'string' ? obj.key : '';
    const shown = label || key;
    if (!shown) return `${kind} ${index + 1}`;
    return `${kind} "${shown}"${ordinal ? ` (${ordinalOf(index + 1)})` : ''}`;
  };

  const segments = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
  const place: string[] = [];
  let at: unknown = def;
  let i = 0;
  const child = (key: string | number): unknown => (isObj(at) || Array.isArray(at) ? (at as never)[key] : undefined);
  const ITEMS: Record<string, { kind: string; ordinal: boolean }> = {
    sections: { kind: 'section', ordinal: false },
    fields: { kind: 'field', ordinal: true },
    tables: { kind: 'table', ordinal: true },
    columns: { kind: 'column', ordinal: true },
  };
  while (i + 1 < segments.length && typeof segments[i] === 'string' && typeof segments[i + 1] === 'number') {
    const list = segments[i] as string;
    const index = segments[i + 1] as number;
    const item = ITEMS[list];
    const next = (child(list) as unknown[] | undefined)?.[index];
    if (item) place.push(name(next, item.kind, index, item.ordinal));
    else if (list === 'constraints') place.push(`constraint ${index + 1}`);
    else break;
    at = next;
    i += 2;
  }
  const rest = words(segments.slice(i));
  const where = place.join(', ');
  const sentence = where ? where.charAt(0).toUpperCase() + where.slice(1) : '';
  if (!sentence) return rest ? rest.charAt(0).toUpperCase() + rest.slice(1) : 'The definition';
  return rest ? `${sentence}: ${rest}` : sentence;
}

/** What is left of a path once its items are named: `rules.max` → `max`, `options[1].value` → `option 2, value`. */
function words(segments: (string | number)[]): string {
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const next = segments[i + 1];
    if (s === 'rules' && i + 1 < segments.length) continue;
    if (typeof s === 'string' && typeof next === 'number') {
      out.push(`${singular(s)} ${next + 1}`);
      i++;
    } else out.push(String(typeof s === 'number' ? s + 1 : s));
  }
  return out.join(', ');
}

const singular = (s: string) => (s.endsWith('s') ? s.slice(0, -1) : s);

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** 1 → `1st`, 2 → `2nd`, 11 → `11th`, 23 → `23rd`. */
export function ordinalOf(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/**
 * A validation notice whose first line is a definition path (`sections[0].fields[1].key: ...`,
 * as definition.validate.ts words it) with that path put in words; any other message unchanged.
 */
export function humanDefinitionNotice(definition: unknown, message: string, firstPath: string | undefined): string {
  if (!firstPath || !message.startsWith(`${firstPath}: `)) return message;
  return `${describeDefinitionPath(definition, firstPath)} ${message.slice(firstPath.length + 2)}`;
}
