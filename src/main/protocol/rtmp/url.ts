// RTMP publishing URLs: rtmp[s]://host[:port]/app[/instance]/key, or the OBS split of a server
// URL (rtmp[s]://host[:port]/app[/instance]) plus a stream key. Pure string handling, not the
// WHATWG URL parser: a query string may sit inside the app part (/app?token=x/key) and is kept.
// The tcUrl is what the connect command carries (RTMP spec 1.0, 7.2.1.1).
import { InputError } from '../../../shared/errors';
import { redactUrl } from '../../../shared/redact';

export interface RtmpTarget {
  secure: boolean;
  /** Host name or IP literal, without IPv6 brackets (for the socket). */
  host: string;
  port: number;
  /** Application (and instance), query kept, no leading or trailing slash. */
  app: string;
  /** rtmp[s]://host[:port]/app as given (IPv6 in brackets). */
  tcUrl: string;
  /** The publish name: the stream key, its own query string kept. Secret. */
  streamKey: string;
  /** The destination for messages and stats, with the key masked. */
  redacted: string;
}

export const DEFAULT_RTMP_PORT = 1935;
export const DEFAULT_RTMPS_PORT = 443;

const bad = (why: string): InputError => new InputError('invalid-url', `invalid RTMP URL: ${why}`);

/** Split "rtmp[s]://authority/path" into its parts; never echoes the input (it may hold a key). */
function splitServer(raw: string): { secure: boolean; host: string; port: number; path: string; scheme: string; authority: string } {
  const m = /^(rtmps?):\/\/([^/?#]*)(.*)$/i.exec(raw.trim());
  if (!m) throw bad('it must start with rtmp:// or rtmps://');
  const scheme = (m[1] as string).toLowerCase();
  const authority = m[2] as string;
  let path = m[3] as string;
  const secure = scheme === 'rtmps';
  if (authority.includes('@')) throw bad('user names and passwords in the URL are not supported');
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) throw bad('unclosed IPv6 literal');
    host = authority.slice(1, end);
    const after = authority.slice(end + 1);
    if (after !== '' && !after.startsWith(':')) throw bad('junk after the IPv6 literal');
    if (after.startsWith(':')) portText = after.slice(1);
    if (!/^[0-9a-f:.]+(%[\w.-]+)?$/i.test(host) || !host.includes(':')) throw bad('bad IPv6 literal');
  } else {
    const colon = authority.lastIndexOf(':');
    if (authority.indexOf(':') !== colon) throw bad('IPv6 addresses must be written in brackets, e.g. rtmp://[::1]/live');
    host = colon >= 0 ? authority.slice(0, colon) : authority;
    if (colon >= 0) portText = authority.slice(colon + 1);
    if (!/^[a-z0-9.-]+$/i.test(host)) throw bad('missing or invalid host name');
  }
  let port = secure ? DEFAULT_RTMPS_PORT : DEFAULT_RTMP_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw bad('port must be 1-65535');
    port = Number(portText);
  }
  if (path.startsWith('?')) path = '/' + path;
  path = path.replace(/^\/+/, '');
  return { secure, host, port, path, scheme, authority };
}

/**
 * Parse a destination. With `streamKey` empty or absent, `server` is the full URL and its last
 * path segment is the key; otherwise `server` is the server URL (OBS style) and `streamKey` the key.
 */
export function parseRtmpUrl(server: string, streamKey?: string): RtmpTarget {
  const s = splitServer(server);
  let app: string;
  let key: string;
  const path = s.path.replace(/\/+$/, '');
  const hasKey = streamKey !== undefined && streamKey.trim() !== '';
  if (hasKey) {
    app = path;
    key = streamKey.trim();
  } else {
    const slash = path.lastIndexOf('/');
    if (slash < 0) {
      if (path === '') throw bad('no application name');
      throw new InputError('invalid-key', 'no stream key: use rtmp://host/app/key, or give the key separately');
    }
    app = path.slice(0, slash).replace(/\/+$/, '');
    key = path.slice(slash + 1);
  }
  if (app === '') throw bad('no application name');
  if (key === '') throw new InputError('invalid-key', 'the stream key is empty');
  if (/[\s\0]/.test(key)) throw new InputError('invalid-key', 'the stream key contains spaces or control characters');
  const tcUrl = `${s.scheme}://${s.authority}/${app}`;
  let redacted: string;
  try {
    redacted = redactUrl(`${tcUrl}/${key}`);
  } catch {
    redacted = `${s.scheme}://${s.authority}/${app.split('?')[0] ?? ''}/****`; // decodeURI refused it
  }
  return { secure: s.secure, host: s.host, port: s.port, app, tcUrl, streamKey: key, redacted };
}
