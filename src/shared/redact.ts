// Secrets never reach logs, errors or stats (docs/ARCHITECTURE.md habit 7). Redact at the source.

const MASK = '****';

/** Mask a secret for display: keep at most the last 4 characters of long secrets. */
export function maskSecret(secret: string): string {
  if (secret.length === 0) return '';
  if (secret.length <= 8) return MASK;
  return `${MASK}${secret.slice(-4)}`;
}

/**
 * Redact a publishing URL for display. RTMP: the last path segment is the stream key.
 * WHIP and any URL: userinfo and query values are masked. Unparseable input is masked whole.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return MASK;
  }
  if (url.username) url.username = MASK;
  if (url.password) url.password = MASK;
  for (const k of [...url.searchParams.keys()]) url.searchParams.set(k, MASK);
  const proto = url.protocol.toLowerCase();
  if (proto === 'rtmp:' || proto === 'rtmps:') {
    const parts = url.pathname.split('/');
    // /app/key or /app/instance/key: keep the app, mask the key.
    if (parts.length >= 3 && parts[parts.length - 1] !== '') parts[parts.length - 1] = MASK;
    url.pathname = parts.join('/');
  }
  return decodeURI(url.toString());
}

/** Replace every occurrence of the given secrets in free text (e.g. a server's error message). */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join(MASK);
  return out;
}
