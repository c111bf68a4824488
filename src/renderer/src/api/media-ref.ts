// The DOM-free half of api/media-files.ts: references to kept media files and the engine's
// answers to uploads, as pure functions (unit-tested).
import { TandemError, type ErrorCode } from '../../../shared/errors';

/** Why a file could not be kept; each has its own message in the catalogue (props.media.error.*). */
export type MediaFileProblem = 'unsupported' | 'too-large' | 'refused' | 'unreachable' | 'cut-short' | 'no-path' | 'cancelled' | 'failed';

const CODES: Record<MediaFileProblem, ErrorCode> = {
  unsupported: 'invalid-file',
  'too-large': 'invalid-file',
  refused: 'auth-rejected',
  unreachable: 'connection-refused',
  'cut-short': 'connection-closed',
  'no-path': 'invalid-file',
  cancelled: 'invalid-state',
  failed: 'server-error',
};

export class MediaFileError extends TandemError {
  constructor(
    readonly problem: MediaFileProblem,
    message: string,
    status?: number,
  ) {
    super(CODES[problem], message, status === undefined ? {} : { status: String(status) });
  }
}

/** The engine's answer to an upload, by HTTP status (0: no answer at all). */
export function uploadProblem(status: number): MediaFileProblem | null {
  if (status === 201 || status === 200) return null;
  if (status === 0) return 'unreachable';
  if (status === 415) return 'unsupported';
  if (status === 413) return 'too-large';
  if (status === 401 || status === 403 || status === 421) return 'refused';
  if (status === 400 || status === 411) return 'cut-short';
  return 'failed';
}

/**
 * A local path as a file:// URL (RFC 8089): POSIX `/a/b c.mp4` → `file:///a/b%20c.mp4`, Windows
 * `C:\a\b.mp4` → `file:///C:/a/b.mp4`, UNC `\\host\share\x.mp4` → `file://host/share/x.mp4`.
 * Each segment is percent-encoded, so `#`, `?` and `%` in names survive.
 */
export function fileUrlFromPath(path: string): string {
  const enc = (segments: string[]) => segments.map((s) => encodeURIComponent(s)).join('/');
  const unc = /^\\\\([^\\/]+)[\\/](.*)$/.exec(path);
  if (unc) return `file://${unc[1]}/${enc((unc[2] ?? '').split(/[\\/]/))}`;
  const drive = /^([A-Za-z]):[\\/](.*)$/.exec(path);
  if (drive) return `file:///${drive[1]}:/${enc((drive[2] ?? '').split(/[\\/]/))}`;
  if (path.startsWith('/')) return `file:///${enc(path.slice(1).split('/'))}`;
  throw new MediaFileError('no-path', `not an absolute path: '${path}'`);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `{"src": "tandem-media:<uuid>.<ext>"}` → the reference, or undefined for anything else. */
export function parseSrc(text: string): string | undefined {
  const src = parseJson(text)?.src;
  return typeof src === 'string' && /^tandem-media:[0-9a-f-]{36}\.[a-z0-9]{2,5}$/.test(src) ? src : undefined;
}

export function serverReason(text: string): string | undefined {
  const e = parseJson(text)?.error;
  return typeof e === 'string' ? e : undefined;
}
