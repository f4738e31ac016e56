import React from 'react';

/** Names of the languages forms are most often written in here; any other code shows as itself. */
const NAMES: Record<string, string> = {
  en: 'English',
  sw: 'Kiswahili',
  fr: 'Français',
  pt: 'Português',
  es: 'Español',
  ar: 'العربية',
  am: 'አማርኛ',
  so: 'Soomaali',
  rw: 'Ikinyarwanda',
  lg: 'Luganda',
};

/**
 * The language a form is read in, for a form written in several (the fill page, the builder's
 * preview, the review page). Nothing for a form in one language.
 */
export const LanguageSwitch: React.FC<{
  languages: readonly string[] | undefined;
  value: string | undefined;
  onChange: (language: string) => void;
  testId: string;
  /** The switch's own name, in the page's language. */
  label?: string;
}> = ({ languages, value, onChange, testId, label = 'Language' }) =>
  languages && languages.length > 1 ? (
    <label style={{ display: 'inline-flex', alignItems: 'center', gap: 6, fontSize: 13 }}>
      <span aria-hidden="true">🌐</span>
      <select
        aria-label={label}
        title={label}
        value={value}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value)}
        style={{ padding: '4px 8px', border: '1px solid #C0C0CA', borderRadius: 4, background: '#fff' }}
      >
        {languages.map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l] ? `${NAMES[l]} (${l})` : l}
          </option>
        ))}
      </select>
    </label>
  ) : null;
