// One way to normalise what goes wrong in an output (docs/ARCHITECTURE.md habit 5), and the one rule that
// decides whether a retry can help (docs/ARCHITECTURE.md "Outputs"): a bad URL or key, a refused
// publish or a key already in use, an untrusted certificate or a broken encoder stay broken however
// often we try; every
// network or server trouble (refused, timed out, dropped, garbage, 5xx) is worth another attempt.
import { TandemError, type ErrorCode } from '../../shared/errors';

const FINAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid-url',
  'invalid-key',
  'invalid-argument',
  'invalid-file',
  'auth-rejected',
  'stream-busy',
  'tls-certificate',
  'encoder-failed',
  'ffmpeg-missing',
  'invalid-state',
  'not-found',
]);

/** Any thrown value as a TandemError naming `target` (already redacted: never a key or token). */
export function normalizeError(err: unknown, target: string): TandemError {
  if (err instanceof TandemError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TandemError('internal', `${target}: ${message}`, { target, cause: err });
}

/** Whether reconnecting may fix this failure. */
export function isRetryable(err: TandemError): boolean {
  return !FINAL.has(err.code);
}
