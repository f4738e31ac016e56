/**
 * The languages of a form (docs/forms.md "Several languages"): one resolver for the server, the
 * worker, the admin panel and the browser bundle. A definition declares `languages` and
 * `defaultLanguage`; every text a person reads (a label, a help text, an option's label, a
 * constraint's or a pattern's message, the form's title) is a string or a map by language.
 * Reading a text in a language falls back to the default language, then to any translation.
 * Browser-safe, like the rest of src/rules.
 */

/** A string (the same in every language), or a map by language code: `{ "en": "Village", "sw": "Kijiji" }`. */
export type LocalText = string | { readonly [language: string]: string };

/** A language code: `en`, `sw`, `pt-BR` (BCP 47, as Accept-Language carries it). */
export const LANGUAGE_PATTERN = '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$';

/** What a definition says about its languages (the rest of it does not matter here). */
export interface Languages {
  languages?: readonly string[];
  defaultLanguage?: string;
}

/** A definition with every text resolved to a string: what the engine, the schema and the pages read. */
export type Localized<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? Localized<U>[]
    : T extends { readonly [language: string]: string }
      ? string
      : { [K in keyof T]: Localized<T[K]> };

const isMap = (text: unknown): text is Record<string, string> =>
  text !== null && typeof text === 'object' && !Array.isArray(text);

/** The default language of a definition (its first declared one when none is named), or undefined when it declares none. */
export const defaultLanguageOf = (def: Languages): string | undefined => def.defaultLanguage ?? def.languages?.[0];

/** The language a form is read in: `wanted` when the form declares it, else its default. */
export function languageFor(def: Languages, wanted: string | undefined): string | undefined {
  return wanted !== undefined && (def.languages ?? []).includes(wanted) ? wanted : defaultLanguageOf(def);
}

/** A text in a language: that translation, else the default language's, else the first there is. */
export function textIn(
  text: LocalText | undefined,
  language: string | undefined,
  fallback: string | undefined,
): string {
  if (text === undefined || typeof text === 'string') return text ?? '';
  if (language !== undefined && Object.hasOwn(text, language)) return text[language]!;
  if (fallback !== undefined && Object.hasOwn(text, fallback)) return text[fallback]!;
  return Object.values(text)[0] ?? '';
}

/**
 * The language to use for a request: the first of `wanted` (a `?lang=` value, or an
 * Accept-Language header: `sw-KE,sw;q=0.9,en;q=0.8`) that the form declares, by exact code or by
 * its primary subtag (`sw-KE` finds `sw`); else the form's default language.
 */
export function pickLanguage(def: Languages, ...wanted: (string | undefined)[]): string | undefined {
  const declared = def.languages ?? [];
  for (const header of wanted) {
    if (!header) continue;
    const ranked = header
      .split(',')
      .map((part, i) => {
        const [tag = '', ...params] = part.trim().split(';');
        const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
        return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), i };
      })
      .filter((r) => r.tag && r.q > 0)
      .sort((a, b) => b.q - a.q || a.i - b.i);
    for (const { tag } of ranked) {
      const exact = declared.find((l) => l.toLowerCase() === tag);
      if (exact) return exact;
      const primary = declared.find((l) => l.toLowerCase() === tag.split('-')[0]);
      if (primary) return primary;
    }
  }
  return defaultLanguageOf(def);
}

/** One text of a definition, where it is, and how to replace it (on the object it was read from). */
export interface TextSlot {
  /** The path the validator reports it at: `sections[0].fields[2].options[1].label`. */
  path: string;
  /** What it is, for the builder's translations table: `label`, `help`, `option`, `message`, `title`. */
  kind: 'title' | 'label' | 'help' | 'option' | 'message';
  text: LocalText;
  set(text: string): void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

function slot(out: TextSlot[], owner: Obj, key: string, path: string, kind: TextSlot['kind']): void {
  const text = owner[key];
  if (typeof text === 'string' || isMap(text))
    out.push({
      path: `${path}.${key}`.replace(/^\./, ''),
      kind,
      text: text as LocalText,
      set: (t) => (owner[key] = t),
    });
}

function constraintSlots(owner: Obj, path: string, out: TextSlot[]): void {
  list(owner.constraints).forEach((c, k) => slot(out, c, 'message', `${path}.constraints[${k}]`, 'message'));
}

function fieldSlots(field: Obj, path: string, out: TextSlot[]): void {
  slot(out, field, 'label', path, 'label');
  slot(out, field, 'help', path, 'help');
  list(field.options).forEach((o, k) => slot(out, o, 'label', `${path}.options[${k}]`, 'option'));
  if (isObj(field.rules)) slot(out, field.rules, 'patternMessage', `${path}.rules`, 'message');
  constraintSlots(field, path, out);
}

/**
 * Every text of a definition, in the order of the form. The one walk over texts: validation,
 * missing translations, localizing and the builder's translations table all read it.
 */
export function textSlots(definition: unknown): TextSlot[] {
  const out: TextSlot[] = [];
  if (!isObj(definition)) return out;
  slot(out, definition, 'title', '', 'title');
  list(definition.sections).forEach((section, si) => {
    const sPath = `sections[${si}]`;
    slot(out, section, 'label', sPath, 'label');
    slot(out, section, 'help', sPath, 'help');
    list(section.fields).forEach((f, fi) => fieldSlots(f, `${sPath}.fields[${fi}]`, out));
    list(section.tables).forEach((table, ti) => {
      const tPath = `${sPath}.tables[${ti}]`;
      slot(out, table, 'label', tPath, 'label');
      slot(out, table, 'help', tPath, 'help');
      list(table.columns).forEach((c, ci) => fieldSlots(c, `${tPath}.columns[${ci}]`, out));
      constraintSlots(table, tPath, out);
    });
    constraintSlots(section, sPath, out);
  });
  return out;
}

/** A problem of a definition's languages, on its path. */
export interface LanguageProblem {
  path: string;
  message: string;
}

/**
 * What is wrong with a definition's languages (errors: the definition is refused) and which
 * translations are missing (warnings: it is saved, and the builder shows them).
 */
export function checkLanguages(definition: Languages & Obj): {
  errors: LanguageProblem[];
  warnings: LanguageProblem[];
} {
  const errors: LanguageProblem[] = [];
  const warnings: LanguageProblem[] = [];
  const declared = definition.languages ?? [];
  const known = new Set(declared);
  declared.forEach((l, i) => {
    if (declared.indexOf(l) !== i) errors.push({ path: `languages[${i}]`, message: `"${l}" is listed twice` });
  });
  if (definition.defaultLanguage !== undefined && !known.has(definition.defaultLanguage)) {
    errors.push({
      path: 'defaultLanguage',
      message: `"${definition.defaultLanguage}" is not one of the form's languages (${declared.join(', ') || 'none declared'})`,
    });
  }
  for (const s of textSlots(definition)) {
    if (typeof s.text === 'string') continue;
    for (const l of Object.keys(s.text)) {
      if (!known.has(l))
        errors.push({
          path: `${s.path}.${l}`,
          message: declared.length
            ? `"${l}" is not one of the form's languages (${declared.join(', ')})`
            : `a text by language needs the form's "languages" declared`,
        });
    }
    for (const l of declared)
      if (!Object.hasOwn(s.text, l))
        warnings.push({
          path: s.path,
          message: `no ${l} translation: the ${defaultLanguageOf(definition)} text is shown`,
        });
  }
  return { errors, warnings };
}

const localized = new WeakMap<object, Map<string, unknown>>();
/** The language of each localized copy, so that a page holding one judges in its language. */
const localizedIn = new WeakMap<object, string>();

/** The language a definition was localized in (by `localize`), or undefined for one that was not. */
export const localizedLanguage = (definition: object): string | undefined => localizedIn.get(definition);

/**
 * The definition with every text in one language (falling back to the default): cached per
 * definition object and language, so the engine compiles each once. A definition without
 * languages is returned as it is (all its texts are strings), and so is one localized before.
 */
export function localize<D extends Languages & object>(definition: D, language?: string): Localized<D> {
  if (localizedIn.has(definition)) return definition as unknown as Localized<D>;
  const fallback = defaultLanguageOf(definition);
  const lang = languageFor(definition, language);
  if (fallback === undefined || lang === undefined) return definition as unknown as Localized<D>;
  let byLanguage = localized.get(definition);
  if (!byLanguage) localized.set(definition, (byLanguage = new Map<string, unknown>()));
  let found = byLanguage.get(lang);
  if (!found) {
    // A definition whose texts are all strings is its own localization in its default language;
    // in another, a shallow copy of it, which remembers that language (for the engine's messages).
    const plain = textSlots(definition).every((s) => typeof s.text === 'string');
    const copy = plain ? (lang === fallback ? definition : { ...definition }) : (structuredClone(definition) as D);
    if (!plain) for (const s of textSlots(copy)) if (typeof s.text !== 'string') s.set(textIn(s.text, lang, fallback));
    if (copy !== definition) localizedIn.set(copy, lang);
    byLanguage.set(lang, (found = copy));
  }
  return found as Localized<D>;
}

/**
 * A text with one language's translation set to `value`: a plain string stays a string when
 * the default language (or a form without languages) is edited; another language turns it into
 * a map (the string becomes the default's). An emptied translation other than the default's is
 * removed, so it shows as missing rather than blank.
 */
export function withTranslation(
  text: LocalText | undefined,
  language: string | undefined,
  value: string,
  def: Languages,
): LocalText {
  const fallback = defaultLanguageOf(def);
  const lang = language ?? fallback;
  if (typeof text !== 'object') {
    if (lang === undefined || lang === fallback) return value;
    return value === '' ? (text ?? '') : { [fallback!]: text ?? '', [lang]: value };
  }
  const next: Record<string, string> = { ...text };
  if (lang === undefined) return value;
  if (value === '' && lang !== fallback) delete next[lang];
  else next[lang] = value;
  return next;
}
