// The UI language: settings.language, or the browser/OS locale when it is 'auto'.
import { createContext, useContext, type ReactNode } from 'react';
import { detectLanguage, translator, type MessageKey, type TArgs } from '../../shared/i18n';
import type { Settings } from '../../shared/api';

export type UiLanguage = 'en' | 'zh-CN';
export type Tr = <K extends MessageKey>(key: K, ...args: TArgs<K>) => string;

const I18n = createContext<{ tr: Tr; lang: UiLanguage }>({ tr: translator('en'), lang: 'en' });

export function uiLanguage(setting: Settings['language']): UiLanguage {
  if (setting === 'en' || setting === 'zh-CN') return setting;
  return detectLanguage(typeof navigator === 'undefined' ? [] : navigator.languages) === 'zh-CN' ? 'zh-CN' : 'en';
}

export function I18nProvider({ lang, children }: { lang: UiLanguage; children: ReactNode }) {
  return <I18n.Provider value={{ tr: translator(lang), lang }}>{children}</I18n.Provider>;
}

export function useT(): Tr {
  return useContext(I18n).tr;
}

export function useLang(): UiLanguage {
  return useContext(I18n).lang;
}
