// Every error the UI shows goes through here (docs/ARCHITECTURE.md habit 5): an engine error by
// its code (errorText: the summary in the UI's language, then the engine's detail), a validation
// failure by its keyed fields, in the UI's language. The engine's English detail is kept in
// English only; in another language it goes to the tooltip (`title`), where the server, status
// or field it names is still one hover away.
import { z } from 'zod';
import { TandemError } from '../../shared/errors';
import { errorText } from '../../shared/i18n/errors';
import type { Language } from '../../shared/i18n/index';
import { fieldIssues, type FieldIssue } from '../../shared/validation';

/** What an error from the engine or a schema carries, as errorText takes it. */
export interface ShownError {
  code: string;
  message: string;
  target?: string;
  status?: string;
  fields?: FieldIssue[];
}

/** The error as errorText takes it; undefined for something that is not a coded error. */
export function asShownError(err: unknown): ShownError | undefined {
  if (err instanceof z.ZodError) return { code: 'invalid-argument', message: '', fields: fieldIssues(err) };
  if (err instanceof TandemError) {
    const out: ShownError = { code: err.code, message: err.message };
    if (err.target !== undefined) out.target = err.target;
    if (err.status !== undefined) out.status = err.status;
    if (err.fields !== undefined) out.fields = err.fields;
    return out;
  }
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string' && typeof (err as { message?: unknown }).message === 'string') {
    const e = err as ShownError;
    return { code: e.code, message: e.message, ...(e.target !== undefined ? { target: e.target } : {}), ...(e.status !== undefined ? { status: e.status } : {}), ...(Array.isArray(e.fields) ? { fields: e.fields } : {}) };
  }
  return undefined;
}

export interface ErrorLine {
  text: string;
  /** The engine's own words, for a tooltip. */
  title: string;
}

/**
 * The line to show for `err` in `lang`. Plain Errors are the UI's own (already translated by the
 * code that threw them). `target: false` leaves out the destination name where the row shows it.
 */
export function errorLine(lang: Language, err: unknown, opts: { target?: boolean } = {}): ErrorLine {
  const shown = asShownError(err);
  if (!shown) {
    const text = err instanceof Error ? err.message : String(err);
    return { text, title: text };
  }
  const english = lang === 'en';
  const info = english || (shown.fields?.length ?? 0) > 0 ? shown : { ...shown, message: '' };
  return { text: errorText(lang, info, { target: opts.target ?? true }), title: shown.message };
}
