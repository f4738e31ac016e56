import { createContext, useContext } from 'react';
import {
  defaultLanguageOf,
  textIn,
  withTranslation,
  type Languages,
  type LocalText,
} from '../../../src/rules/language';

/**
 * The editor's inputs edit the default language's text of each label, help text, option and
 * message (the translations tab edits the others). The definition's languages reach them here.
 */
export const FormLanguages = createContext<Languages>({});

/** Reads and edits texts in the default language (src/rules/language.ts is the one resolver). */
export function useDefaultText() {
  const def = useContext(FormLanguages);
  const lang = defaultLanguageOf(def);
  return {
    show: (text: LocalText | undefined) => textIn(text, lang, lang),
    edit: (text: LocalText | undefined, value: string) => withTranslation(text, lang, value, def),
  };
}
