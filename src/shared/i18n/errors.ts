// User-facing error text (docs/ARCHITECTURE.md habit 5): one place turns an ErrorInfo into English or
// 简体中文. The localized cause summary comes first; the engine's detail (already redacted at
// the source, habit 7) is kept after it, since it names the specific server, status or field.
import type { ErrorCode, ErrorInfo } from '../errors';
import type { FieldIssue } from '../validation';
import { isMessageKey, t, type Language } from './index';
import type { MessageKey } from './en';

/** Every ErrorCode has a summary key; a code without one fails the type check here. */
const KEY: { [C in ErrorCode]: `error.${C}` & MessageKey } = {
  'invalid-url': 'error.invalid-url',
  'invalid-key': 'error.invalid-key',
  'invalid-argument': 'error.invalid-argument',
  'invalid-file': 'error.invalid-file',
  'dns-failed': 'error.dns-failed',
  'connection-refused': 'error.connection-refused',
  'connection-timeout': 'error.connection-timeout',
  'connection-closed': 'error.connection-closed',
  'tls-failed': 'error.tls-failed',
  'tls-certificate': 'error.tls-certificate',
  'auth-rejected': 'error.auth-rejected',
  'stream-busy': 'error.stream-busy',
  'server-error': 'error.server-error',
  'server-unavailable': 'error.server-unavailable',
  'protocol-violation': 'error.protocol-violation',
  'invalid-state': 'error.invalid-state',
  'not-found': 'error.not-found',
  'encoder-failed': 'error.encoder-failed',
  'ffmpeg-missing': 'error.ffmpeg-missing',
  internal: 'error.internal',
};

export const ERROR_CODES = Object.keys(KEY) as ErrorCode[];

function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(KEY, code);
}

/** The localized one-line cause for a code; unknown codes (from a newer engine) read as internal. */
export function errorSummary(lang: Language, code: string): string {
  return t(lang, KEY[isErrorCode(code) ? code : 'internal']);
}

export interface ErrorTextOptions {
  /** Prefix the target (destination name or redacted URL) when the info has one. Default true. */
  target?: boolean;
}

/** "Width must be a multiple of 4" / "宽度必须是 4 的倍数": the field's label, then the issue. */
export function fieldIssueText(lang: Language, issue: FieldIssue): string {
  const leaf = issue.path.split('.').pop() ?? '';
  const labelKey = `field.${leaf}`;
  const label = leaf === '' ? '' : isMessageKey(labelKey) ? t(lang, labelKey) : leaf;
  const key = `validation.${issue.key}`;
  const text = isMessageKey(key) ? t(lang, key, issue.params) : t(lang, 'validation.invalid');
  if (label === '') return text;
  return lang === 'zh-CN' ? `${label}${text}` : `${label} ${text}`;
}

/**
 * "Connection refused: connect ECONNREFUSED 10.0.0.1:1935 (status 503)" / "连接被拒绝：…".
 * Accepts the wire shape too ({code: string, message}), as destinations carry it. Validation
 * failures are worded from their keyed fields, not from the engine's English message.
 */
export function errorText(
  lang: Language,
  info: ErrorInfo | { code: string; message: string; target?: string; status?: string; fields?: FieldIssue[] },
  opts: ErrorTextOptions = {},
): string {
  const zh = lang === 'zh-CN';
  const sep = zh ? '：' : ': ';
  let text = errorSummary(lang, info.code);
  const fields = info.fields ?? [];
  const detail = fields.length > 0 ? fields.map((f) => fieldIssueText(lang, f)).join(zh ? '；' : '; ') : info.message.trim();
  if (detail !== '' && detail !== text) text += sep + detail;
  if (info.status !== undefined && info.status !== '' && !detail.includes(info.status)) {
    const status = t(lang, 'error.status', { status: info.status });
    text += zh ? `（${status}）` : ` (${status})`;
  }
  if ((opts.target ?? true) && info.target) text = `${info.target}${sep}${text}`;
  return text;
}
