import React, { useEffect, useMemo, useState } from 'react';
import {
  checkLanguages,
  defaultLanguageOf,
  LANGUAGE_PATTERN,
  textSlots,
  withTranslation,
} from '../../../src/rules/language';
import type { Definition } from './types';

const CODE = new RegExp(LANGUAGE_PATTERN);

/**
 * The definition with its languages set to `codes` (the default kept when still listed, else the
 * first): the translations of a language taken out are dropped with it, since the server refuses
 * a text in a language the form does not declare. One code, or none, makes the form plain again.
 */
export function withLanguages(definition: Definition, codes: string[], defaultLanguage?: string): Definition {
  const next = structuredClone(definition);
  const keep = new Set(codes);
  const fallback = defaultLanguage && keep.has(defaultLanguage) ? defaultLanguage : codes[0];
  for (const slot of textSlots(next)) {
    if (typeof slot.text === 'string') continue;
    const kept = Object.fromEntries(Object.entries(slot.text).filter(([l]) => keep.has(l) && codes.length > 1));
    // A text left in no language keeps what was shown for it: the old default's words.
    slot.set(
      (Object.keys(kept).length
        ? kept
        : (slot.text[defaultLanguageOf(definition) ?? ''] ?? Object.values(slot.text)[0] ?? '')) as string,
    );
  }
  if (codes.length > 1) {
    next.languages = codes;
    next.defaultLanguage = fallback;
  } else {
    delete next.languages;
    delete next.defaultLanguage;
  }
  return next;
}

/** The form's languages, typed as codes (`en, sw`), and its default. */
const LanguagesEditor: React.FC<{
  definition: Definition;
  readOnly: boolean;
  onChange: (next: Definition) => void;
}> = ({ definition, readOnly, onChange }) => {
  const declared = definition.languages ?? [];
  const [text, setText] = useState(declared.join(', '));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(declared.join(', ')), [declared.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps
  const apply = () => {
    const codes = text
      .split(/[\s,]+/)
      .map((c) => c.trim())
      .filter(Boolean);
    const bad = codes.find((c) => !CODE.test(c));
    if (bad !== undefined) return setError(`"${bad}" is not a language code like en, sw or pt-BR`);
    if (new Set(codes).size !== codes.length) return setError('each language once');
    setError(null);
    onChange(withLanguages(definition, codes, definition.defaultLanguage));
  };
  return (
    <div
      className="gbfb-card"
      style={{
        padding: '10px 14px',
        marginBottom: 12,
        display: 'flex',
        gap: 12,
        alignItems: 'flex-end',
        flexWrap: 'wrap',
      }}
      data-testid="languages-editor"
    >
      <label style={{ flex: '1 1 260px' }}>
        <span className="gbfb-label">Languages (codes, the default first or chosen beside)</span>
        <input
          className="gbfb-input"
          value={text}
          disabled={readOnly}
          placeholder="en, sw"
          data-testid="languages-input"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => (e.key === 'Enter' ? apply() : undefined)}
        />
      </label>
      <button type="button" className="gbfb-link-btn" disabled={readOnly} data-testid="languages-apply" onClick={apply}>
        Set languages
      </button>
      {declared.length > 1 ? (
        <label>
          <span className="gbfb-label">Default</span>
          <select
            className="gbfb-input"
            value={defaultLanguageOf(definition)}
            disabled={readOnly}
            data-testid="languages-default"
            onChange={(e) => onChange(withLanguages(definition, declared, e.target.value))}
          >
            {declared.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {error ? (
        <div className="gbfb-error" style={{ flexBasis: '100%' }} data-testid="languages-error">
          {error}
        </div>
      ) : null}
    </div>
  );
};

/**
 * Every text of the form, one row per text and one column per language, missing translations
 * flagged (the warnings save and plan return). Editing a cell sets that translation; the editor's
 * inputs edit the default language's.
 */
export const Translations: React.FC<{
  definition: Definition;
  readOnly: boolean;
  onChange: (next: Definition) => void;
}> = ({ definition, readOnly, onChange }) => {
  const languages = definition.languages ?? [];
  const fallback = defaultLanguageOf(definition);
  const slots = useMemo(() => textSlots(definition), [definition]);
  const missing = useMemo(() => checkLanguages(definition).warnings.length, [definition]);
  if (languages.length < 2) {
    return (
      <div data-testid="translations">
        <LanguagesEditor definition={definition} readOnly={readOnly} onChange={onChange} />
        <div className="gbfb-muted">
          This form is in one language. Give its languages above (for example <code>en, sw</code>) to translate it.
        </div>
      </div>
    );
  }
  const set = (path: string, language: string, value: string) => {
    const next = structuredClone(definition);
    const slot = textSlots(next).find((s) => s.path === path);
    if (!slot) return;
    slot.set(withTranslation(slot.text, language, value, next) as string);
    onChange(next);
  };
  return (
    <div data-testid="translations">
      <LanguagesEditor definition={definition} readOnly={readOnly} onChange={onChange} />
      <div className="gbfb-muted" style={{ marginBottom: 8 }} data-testid="translations-summary">
        {slots.length} texts in {languages.length} languages;{' '}
        {missing
          ? `${missing} translation${missing === 1 ? '' : 's'} missing (the ${fallback} text is shown)`
          : 'every text translated'}
        .
      </div>
      <table className="gbfb-card" style={{ width: '100%', borderCollapse: 'collapse' }}>
        <thead>
          <tr>
            <th style={{ textAlign: 'left', padding: 6 }}>Text</th>
            {languages.map((l) => (
              <th key={l} style={{ textAlign: 'left', padding: 6 }}>
                {l}
                {l === fallback ? ' (default)' : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {slots.map((slot) => (
            <tr key={slot.path} data-testid={`translation-${slot.path}`} style={{ borderTop: '1px solid #EEEEEF' }}>
              <td style={{ padding: 6, verticalAlign: 'top' }}>
                <span className="gbfb-pill">{slot.kind}</span> <span className="gbfb-mono gbfb-muted">{slot.path}</span>
              </td>
              {languages.map((l) => {
                const given =
                  typeof slot.text === 'string'
                    ? l === fallback
                      ? slot.text
                      : undefined
                    : Object.hasOwn(slot.text, l)
                      ? slot.text[l]
                      : undefined;
                const shared = typeof slot.text === 'string' && l !== fallback;
                return (
                  <td key={l} style={{ padding: 6 }}>
                    <input
                      className="gbfb-input"
                      value={given ?? ''}
                      disabled={readOnly}
                      lang={l}
                      aria-label={`${slot.path} in ${l}`}
                      placeholder={shared ? `same as ${fallback}` : 'missing'}
                      data-testid={`translation-${slot.path}-${l}`}
                      data-missing={given === undefined && !shared ? 'true' : undefined}
                      style={
                        given === undefined && !shared ? { borderColor: '#E6A23C', background: '#FFF8E6' } : undefined
                      }
                      onChange={(e) => set(slot.path, l, e.target.value)}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};
