// UI text in English and 简体中文 (docs/ARCHITECTURE.md habit 5): `t(lang, key, params)` looks a key up and
// fills {name} placeholders. en.ts is the source of truth for keys; zh-CN.ts must match it.
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export { en, type MessageKey } from './en';
export { zhCN } from './zh-CN';

/** The UI languages (Settings.language may also be 'auto': see resolveLanguage). */
export type Language = 'en' | 'zh-CN';
export const LANGUAGES: readonly Language[] = ['en', 'zh-CN'];

export const MESSAGES: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = { en, 'zh-CN': zhCN };

/** Whether a computed string is a key of the catalogue. */
export function isMessageKey(k: string): k is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, k);
}

/** The {param} names in a message string, as a union of string literals. */
type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | ParamNames<Rest> : never;
export type MessageParams<K extends MessageKey> = ParamNames<(typeof en)[K]>;
export type ParamValue = string | number;

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/**
 * Arguments after the key: a literal key with {params} requires exactly those; a key without
 * any takes none; a computed key (a union) takes any of its params, optionally.
 */
export type TArgs<K extends MessageKey> = true extends IsUnion<K>
  ? [params?: Partial<Record<MessageParams<K>, ParamValue>>]
  : [MessageParams<K>] extends [never]
    ? [params?: Record<string, never>]
    : [params: Record<MessageParams<K>, ParamValue>];

export function isLanguage(v: unknown): v is Language {
  return v === 'en' || v === 'zh-CN';
}

/** Replaces each {name} with params[name]; unknown or missing names are left as they are. */
export function interpolate(text: string, params?: Readonly<Record<string, ParamValue | undefined>>): string {
  if (!params) return text;
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

/** The text for `key` in `lang` (English if a language somehow lacks it), with {params} filled. */
export function t<K extends MessageKey>(lang: Language, key: K, ...args: TArgs<K>): string {
  const text = MESSAGES[lang][key] ?? en[key];
  const params: Readonly<Record<string, ParamValue | undefined>> | undefined = args[0];
  return interpolate(text, params);
}

/** `t` with the language bound, for components: `const tr = translator(lang); tr('app.title')`. */
export function translator(lang: Language): <K extends MessageKey>(key: K, ...args: TArgs<K>) => string {
  return (key, ...args) => t(lang, key, ...args);
}

/**
 * The UI language for the browser's preferred languages (navigator.languages), in order: the
 * first English or Chinese entry decides; any Chinese (zh, zh-TW, zh-Hant-HK…) gives zh-CN,
 * the only Chinese we have. Anything else, or nothing, gives English.
 */
export function detectLanguage(navigatorLanguages: readonly string[]): Language {
  for (const raw of navigatorLanguages) {
    const tag = raw.trim().toLowerCase().replace(/_/g, '-');
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

/** The language for a setting: 'en' or 'zh-CN' as set; anything else ('auto') follows the locale. */
export function resolveLanguage(setting: string | undefined, navigatorLanguages: readonly string[]): Language {
  return isLanguage(setting) ? setting : detectLanguage(navigatorLanguages);
}
