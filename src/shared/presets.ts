// Service presets (resources/presets.json): where each streaming service takes RTMP/RTMPS or
// WHIP, what the secret is called and whether it is needed. Ingests that differ per account are
// templates with <placeholders> the user fills in (fillTemplate) rather than guessed URLs.
// Shared by the engine and the renderer: no Node or DOM APIs, only the global URL.
import { z } from 'zod';
import presetsJson from '../../resources/presets.json';
import { ProtocolSchema, type DestinationProtocol } from './api';
import { InputError, TandemError } from './errors';

/** A <placeholder> in a template: a letter, then letters, digits, '-' or '_'. */
const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9_-]*)>/g;

const LocalizedSchema = z.object({ en: z.string().trim().min(1), 'zh-CN': z.string().trim().min(1) }).strict();

const ServerSchema = z.object({ name: z.string().trim().min(1).max(80), url: z.string().trim().min(1).max(2048) }).strict();

export const SecretLabelSchema = z.enum(['Stream key', 'Bearer token']);
export type SecretLabel = z.infer<typeof SecretLabelSchema>;

const SCHEMES: Record<DestinationProtocol, readonly string[]> = {
  rtmp: ['rtmp://'],
  rtmps: ['rtmps://'],
  whip: ['https://', 'http://'],
};

const LABEL: Record<DestinationProtocol, SecretLabel> = { rtmp: 'Stream key', rtmps: 'Stream key', whip: 'Bearer token' };

/** Why a URL does not fit the protocol, or undefined if it does. Placeholders must be filled first. */
function urlProblem(protocol: DestinationProtocol, raw: string): string | undefined {
  const schemes = SCHEMES[protocol];
  if (!schemes.some((s) => raw.toLowerCase().startsWith(s))) return `a ${protocol} preset needs a ${schemes.join(' or ')} URL`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid URL';
  }
  if (!url.hostname) return 'the URL has no host';
  if (protocol !== 'whip' && url.pathname.replace(/\//g, '') === '') return 'an RTMP URL needs an application, e.g. rtmp://host/live';
  return undefined;
}

export const PresetSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'ids are lower-case letters, digits and dashes'),
    name: z.string().trim().min(1).max(80),
    protocol: ProtocolSchema,
    /** Fixed ingest servers, first = default. Empty (with no urlTemplate) = the user types the URL. */
    servers: z.array(ServerSchema).default([]),
    /** Per-account ingest: a URL with <placeholders> (fillTemplate). Exclusive with servers. */
    urlTemplate: z.string().trim().min(1).max(2048).optional(),
    secretLabel: SecretLabelSchema,
    secretRequired: z.boolean(),
    hint: LocalizedSchema,
    docsUrl: z.string().regex(/^https:\/\/[^\s<>]+$/, 'docsUrl must be an https:// URL').optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.secretLabel !== LABEL[p.protocol]) {
      ctx.addIssue({ code: 'custom', path: ['secretLabel'], message: `a ${p.protocol} preset's secret is a '${LABEL[p.protocol]}'` });
    }
    if (p.urlTemplate !== undefined && p.servers.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['urlTemplate'], message: 'give either servers or urlTemplate, not both' });
    }
    p.servers.forEach((s, i) => {
      if (templatePlaceholders(s.url).length > 0) {
        ctx.addIssue({ code: 'custom', path: ['servers', i, 'url'], message: 'server URLs cannot hold <placeholders>: use urlTemplate' });
        return;
      }
      const why = urlProblem(p.protocol, s.url);
      if (why) ctx.addIssue({ code: 'custom', path: ['servers', i, 'url'], message: why });
    });
    if (p.urlTemplate !== undefined) {
      const names = templatePlaceholders(p.urlTemplate);
      if (names.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['urlTemplate'], message: 'a template needs at least one <placeholder>; fixed URLs go in servers' });
        return;
      }
      const sample = fillTemplate(p.urlTemplate, Object.fromEntries(names.map((n) => [n, 'x'])));
      const why = urlProblem(p.protocol, sample);
      if (why) ctx.addIssue({ code: 'custom', path: ['urlTemplate'], message: why });
    }
  });

export type Preset = z.output<typeof PresetSchema>;
export type PresetServer = Preset['servers'][number];

const PresetFileSchema = z.array(PresetSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((p, i) => {
    if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id '${p.id}'` });
    seen.add(p.id);
  });
});

/** One problem in a presets file, naming the field (e.g. "[2].servers[0].url"). */
export interface PresetIssue {
  /** JSON path of the field: `[index].field[index]…`; empty for the whole file. */
  path: string;
  /** The preset's id, when the entry has a readable one. */
  presetId?: string;
  message: string;
}

export type PresetValidation = { ok: true; presets: Preset[] } | { ok: false; errors: PresetIssue[] };

/** A presets file that does not validate. */
export class PresetFileError extends TandemError {
  readonly issues: readonly PresetIssue[];
  constructor(issues: readonly PresetIssue[]) {
    const first = issues[0];
    const detail = first ? `${first.path || '(file)'}: ${first.message}` : 'unknown problem';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('invalid-file', `invalid presets file: ${detail}${more}`);
    this.issues = issues;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');
}

function idAt(json: unknown, index: PropertyKey | undefined): string | undefined {
  if (!Array.isArray(json) || typeof index !== 'number') return undefined;
  const entry: unknown = json[index];
  if (typeof entry !== 'object' || entry === null || !('id' in entry)) return undefined;
  return typeof entry.id === 'string' ? entry.id : undefined;
}

/** Validates a parsed presets file. Never throws. */
export function validatePresets(json: unknown): PresetValidation {
  const res = PresetFileSchema.safeParse(json);
  if (res.success) return { ok: true, presets: res.data };
  const errors = res.error.issues.map((iss): PresetIssue => {
    const issue: PresetIssue = { path: formatPath(iss.path), message: iss.message };
    const id = idAt(json, iss.path[0]);
    if (id !== undefined) issue.presetId = id;
    return issue;
  });
  return { ok: false, errors };
}

function load(): readonly Preset[] {
  const res = validatePresets(presetsJson as unknown);
  if (!res.ok) throw new PresetFileError(res.errors);
  return Object.freeze(res.presets);
}

/** The shipped presets, validated when this module loads (a bad file fails fast, in tests too). */
export const PRESETS: readonly Preset[] = load();

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** True for the "Custom …" presets: no servers and no template, the user types the URL. */
export function isCustomPreset(p: Preset): boolean {
  return p.servers.length === 0 && p.urlTemplate === undefined;
}

/** The <placeholder> names in a template, each once, in order. */
export function templatePlaceholders(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const n = m[1];
    if (n !== undefined && !names.includes(n)) names.push(n);
  }
  return names;
}

/**
 * Fills every <placeholder> in a template with `values[name]` (trimmed). Throws InputError
 * ('invalid-url') naming the placeholders still unfilled, or a value that would break the URL.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  const names = templatePlaceholders(template);
  const missing = names.filter((n) => (values[n] ?? '').trim() === '');
  if (missing.length > 0) {
    const list = missing.map((n) => `<${n}>`).join(', ');
    throw new InputError('invalid-url', `fill in ${list} in the server URL first`);
  }
  for (const n of names) {
    // eslint-disable-next-line no-control-regex
    if (/[\s<>"'`\\\u0000-\u001f\u007f]/.test((values[n] ?? '').trim())) {
      throw new InputError('invalid-url', `the value for <${n}> cannot contain spaces, quotes, backslashes or < >`);
    }
  }
  return template.replace(PLACEHOLDER, (whole, n: string) => (values[n] ?? whole).trim());
}
