// Validation messages by key, not by English sentence (docs/ARCHITECTURE.md "UI text"): schemas
// report an issue as {path, key, params}; the engine sends those with an invalid-argument error
// and the UI words them in its language (i18n/errors.ts). The English message zod carries is the
// same text from the catalogue, for logs and the command line.
import { z } from 'zod';
import { t } from './i18n/index';

export type ValidationKey = 'range' | 'atLeast' | 'atMost' | 'integer' | 'number' | 'required' | 'tooLong' | 'multipleOf' | 'oneOf' | 'invalid' | 'lanNeedsPassword';

export interface FieldIssue {
  /** Dotted path of the field ('width', 'patch.url'); '' for the whole value. */
  path: string;
  key: ValidationKey;
  params?: Record<string, number | string>;
}

const KEYS = new Set<string>(['range', 'atLeast', 'atMost', 'integer', 'number', 'required', 'tooLong', 'multipleOf', 'oneOf', 'invalid', 'lanNeedsPassword']);

function isKey(v: unknown): v is ValidationKey {
  return typeof v === 'string' && KEYS.has(v);
}

function english(key: ValidationKey, params: Record<string, number | string> = {}): string {
  return t('en', `validation.${key}`, params);
}

/**
 * A number within [min, max], optionally whole and a multiple of n, whose issues carry their key:
 * "must be between 160 and 7680", "must be a multiple of 4", "must be a number".
 */
export function boundedNumber(min: number, max: number, opts: { int?: boolean; multipleOf?: number } = {}) {
  return z.number({ error: english('number') }).superRefine((v, ctx) => {
    const add = (key: ValidationKey, params: Record<string, number | string> = {}) => ctx.addIssue({ code: 'custom', message: english(key, params), params: { key, ...params } });
    if (opts.int && !Number.isInteger(v)) add('integer');
    else if (v < min || v > max) add('range', { min, max });
    else if (opts.multipleOf !== undefined && v % opts.multipleOf !== 0) add('multipleOf', { n: opts.multipleOf });
  });
}

/** A trimmed string of 1..max characters: "is required", "must be at most 80 characters". */
export function requiredText(max: number) {
  return z
    .string({ error: english('invalid') })
    .trim()
    .superRefine((v, ctx) => {
      if (v.length === 0) ctx.addIssue({ code: 'custom', message: english('required'), params: { key: 'required' } });
      else if (v.length > max) ctx.addIssue({ code: 'custom', message: english('tooLong', { max }), params: { key: 'tooLong', max } });
    });
}

function paramsOf(raw: unknown): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) if (k !== 'key' && (typeof v === 'number' || typeof v === 'string')) out[k] = v;
  }
  return out;
}

/** zod's issues as keyed field issues (keyed schemas above, and zod's own codes mapped). */
export function fieldIssues(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i): FieldIssue => {
    const path = i.path.map(String).join('.');
    if (i.code === 'custom') {
      const p = (i as { params?: Record<string, unknown> }).params;
      const key = p?.['key'];
      if (isKey(key)) {
        const params = paramsOf(p);
        return Object.keys(params).length ? { path, key, params } : { path, key };
      }
      return { path, key: 'invalid' };
    }
    if (i.code === 'invalid_type') return { path, key: i.expected === 'number' ? 'number' : i.input === undefined ? 'required' : 'invalid' };
    if (i.code === 'too_big' && i.origin === 'string') return { path, key: 'tooLong', params: { max: Number(i.maximum) } };
    if (i.code === 'too_small' && i.origin === 'string') return { path, key: 'required' };
    if (i.code === 'too_big' && i.origin === 'number') return { path, key: 'atMost', params: { max: Number(i.maximum) } };
    if (i.code === 'too_small' && i.origin === 'number') return { path, key: 'atLeast', params: { min: Number(i.minimum) } };
    if (i.code === 'not_multiple_of') return { path, key: 'multipleOf', params: { n: Number(i.divisor) } };
    if (i.code === 'invalid_value') return { path, key: 'oneOf', params: { values: i.values.map(String).join(', ') } };
    return { path, key: 'invalid' };
  });
}
