import React, { useMemo } from 'react';
import { checkLanguages, defaultLanguageOf, textSlots, withTranslation } from '../../../src/rules/language';
import type { Definition } from './types';

/**
 * Every text of the form, one row per text and one column per language, missing translations
 * flagged (the warnings save and plan return). Editing a cell sets that translation; the editor's
 * inputs edit the default language's.
 */
export const Translations: React.FC<{ definition: Definition; readOnly: boolean; onChange: (next: Definition) => void }> = ({ definition, readOnly, onChange }) => {
  const languages = definition.languages ?? [];
  const fallback = defaultLanguageOf(definition);
  const slots = useMemo(() => textSlots(definition), [definition]);
  const missing = useMemo(() => checkLanguages(definition).warnings.length, [definition]);
  if (languages.length < 2) {
    return <div className="gbfb-muted" data-testid="translations">This form is in one language. Add <code>languages</code> (for example <code>["en", "sw"]</code>) in the JSON tab to translate it.</div>;
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
      <div className="gbfb-muted" style={{ marginBottom: 8 }} data-testid="translations-summary">
        {slots.length} texts in {languages.length} languages; {missing ? `${missing} translation${missing === 1 ? '' : 's'} missing (the ${fallback} text is shown)` : 'every text translated'}.
      </div>
      <table className="gbfb-card" style={{ width: '100%', borderCollapse: 'collapse' }}>
        <thead>
          <tr>
            <th style={{ textAlign: 'left', padding: 6 }}>Text</th>
            {languages.map((l) => <th key={l} style={{ textAlign: 'left', padding: 6 }}>{l}{l === fallback ? ' (default)' : ''}</th>)}
          </tr>
        </thead>
        <tbody>
          {slots.map((slot) => (
            <tr key={slot.path} data-testid={`translation-${slot.path}`} style={{ borderTop: '1px solid #EEEEEF' }}>
              <td style={{ padding: 6, verticalAlign: 'top' }}><span className="gbfb-pill">{slot.kind}</span> <span className="gbfb-mono gbfb-muted">{slot.path}</span></td>
              {languages.map((l) => {
                const given = typeof slot.text === 'string' ? (l === fallback ? slot.text : undefined) : Object.hasOwn(slot.text, l) ? slot.text[l] : undefined;
                const shared = typeof slot.text === 'string' && l !== fallback;
                return (
                  <td key={l} style={{ padding: 6 }}>
                    <input className="gbfb-input" value={given ?? ''} disabled={readOnly} lang={l} aria-label={`${slot.path} in ${l}`}
                      placeholder={shared ? `same as ${fallback}` : 'missing'} data-testid={`translation-${slot.path}-${l}`} data-missing={given === undefined && !shared ? 'true' : undefined}
                      style={given === undefined && !shared ? { borderColor: '#E6A23C', background: '#FFF8E6' } : undefined}
                      onChange={(e) => set(slot.path, l, e.target.value)} />
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
