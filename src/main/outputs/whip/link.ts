// HTTP `Link` header parsing for WHIP (RFC 9725 §4.6 "STUN/TURN Server Configuration",
// §4.9 "Protocol Extensions"), following the syntax of RFC 8288 §3:
//   Link: <stun:stun.example.net>; rel="ice-server"
//   Link: <turn:turn.example.net?transport=udp>; rel="ice-server"; username="u"; credential="p";
//         credential-type="password"
//   Link: <https://h/ext>; rel="urn:ietf:params:whip:ext:example:server-sent-events"
// Several Link headers reach us joined by ", " (fetch combines repeated headers), so the parser
// splits on commas outside `<...>` and quoted strings. Pure: no I/O.

export interface LinkValue {
  uri: string;
  /** Lower-cased parameter names; quoted values unquoted (RFC 8288 §3, RFC 9110 §5.6.4). */
  params: Map<string, string>;
}

/** An ICE server as RTCPeerConnection takes it (W3C webrtc-pc §4.2.1 RTCIceServer). */
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

export const WHIP_EXT_PREFIX = 'urn:ietf:params:whip:ext:';

/** Parse one or more joined Link header values. Malformed entries are skipped, never thrown. */
export function parseLinkHeader(header: string | null | undefined): LinkValue[] {
  if (!header) return [];
  const out: LinkValue[] = [];
  let i = 0;
  const n = header.length;
  while (i < n) {
    const lt = header.indexOf('<', i);
    if (lt < 0) break;
    const gt = header.indexOf('>', lt + 1);
    if (gt < 0) break;
    const uri = header.slice(lt + 1, gt).trim();
    i = gt + 1;
    const params = new Map<string, string>();
    // Parameters: ; name [= token | quoted-string], until a top-level comma.
    for (;;) {
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
      if (i >= n || header[i] === ',') {
        i++;
        break;
      }
      if (header[i] !== ';') {
        // Garbage: skip to the next top-level comma.
        i = skipToComma(header, i);
        break;
      }
      i++;
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
      let nameEnd = i;
      while (nameEnd < n && !'=;,'.includes(header.charAt(nameEnd))) nameEnd++;
      const name = header.slice(i, nameEnd).trim().toLowerCase();
      i = nameEnd;
      let value = '';
      if (header[i] === '=') {
        i++;
        while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
        if (header[i] === '"') {
          i++;
          let v = '';
          while (i < n && header[i] !== '"') {
            if (header[i] === '\\' && i + 1 < n) i++;
            v += header[i];
            i++;
          }
          i++; // closing quote
          value = v;
        } else {
          let end = i;
          while (end < n && header[end] !== ';' && header[end] !== ',') end++;
          value = header.slice(i, end).trim();
          i = end;
        }
      }
      // RFC 8288 §3.3: occurrences after the first of `rel` are ignored.
      if (name && !params.has(name)) params.set(name, value);
    }
    if (uri) out.push({ uri, params });
  }
  return out;
}

function skipToComma(s: string, from: number): number {
  let i = from;
  let quoted = false;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) return i + 1;
    i++;
  }
  return i;
}

function rels(link: LinkValue): string[] {
  return (link.params.get('rel') ?? '').split(/\s+/).filter(Boolean).map((r) => r.toLowerCase());
}

/** The `rel="ice-server"` entries as ICE servers (RFC 9725 §4.6). Only stun:/stuns:/turn:/turns:. */
export function iceServersFromLinks(links: readonly LinkValue[]): IceServer[] {
  const out: IceServer[] = [];
  for (const link of links) {
    if (!rels(link).includes('ice-server')) continue;
    if (!/^(stuns?|turns?):/i.test(link.uri)) continue;
    const server: IceServer = { urls: link.uri };
    const username = link.params.get('username');
    const credential = link.params.get('credential');
    if (/^turns?:/i.test(link.uri)) {
      if (username !== undefined) server.username = username;
      if (credential !== undefined) server.credential = credential;
    }
    out.push(server);
  }
  return out;
}

/**
 * WHIP extensions (RFC 9725 §4.9): rel → URI for every `urn:ietf:params:whip:ext:` link. We
 * implement none yet; callers look up the ones they know and ignore the rest.
 */
export function whipExtensionsFromLinks(links: readonly LinkValue[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const link of links) {
    for (const rel of rels(link)) if (rel.startsWith(WHIP_EXT_PREFIX)) out.set(rel, link.uri);
  }
  return out;
}

/**
 * Merge server-provided ICE servers with locally configured ones (RFC 9725 §4.6: the client may
 * be configured with its own). A locally configured TURN server overrides every TURN server the
 * server offered; local STUN servers are added to the server's.
 */
export function mergeIceServers(fromServer: readonly IceServer[], local: readonly IceServer[]): IceServer[] {
  const isTurn = (s: IceServer): boolean => /^turns?:/i.test(s.urls);
  const localHasTurn = local.some(isTurn);
  const merged = [...local, ...fromServer.filter((s) => !(localHasTurn && isTurn(s)))];
  const seen = new Set<string>();
  return merged.filter((s) => {
    if (seen.has(s.urls)) return false;
    seen.add(s.urls);
    return true;
  });
}
