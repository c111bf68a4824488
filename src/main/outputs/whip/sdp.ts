// SDP rewriting for WHIP (pure string work on SDP lines, RFC 8866 §5):
//   RFC 9725 §4.2   sendonly offer, max-bundle, one msid for both tracks;
//   RFC 8858 §3     a=rtcp-mux-only (werift writes only a=rtcp-mux);
//   RFC 8843 §7.2 / RFC 9429 (JSEP) §5.2.1 max-bundle: later m-lines bundle-only, port 0;
//   RFC 8842 §5     a=setup:actpass in the offer;
//   RFC 8853        no a=simulcast / a=rid (werift sends no simulcast);
//   RFC 8840 §9     trickle-ice-sdpfrag bodies, with only the first m-line (RFC 9725 §4.3.1);
//   RFC 6184 §8.1   profile-level-id from the SPS (profile_idc, constraint flags, level_idc).

export const CRLF = '\r\n';

function lines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((l) => l.length > 0);
}

interface Sections {
  session: string[];
  media: string[][];
}

function sections(sdp: string): Sections {
  const out: Sections = { session: [], media: [] };
  for (const l of lines(sdp)) {
    if (l.startsWith('m=')) out.media.push([l]);
    else (out.media[out.media.length - 1] ?? out.session).push(l);
  }
  return out;
}

function join(s: Sections): string {
  return [...s.session, ...s.media.flat()].join(CRLF) + CRLF;
}

export interface MungeOptions {
  /** JSEP max-bundle: later m-lines port 0 + a=bundle-only, without candidates (default true). */
  bundleOnly?: boolean;
}

/** Turn werift's offer into the WHIP offer we POST (see the header for the rules). */
export function mungeOffer(sdp: string, opts: MungeOptions = {}): string {
  const bundleOnly = opts.bundleOnly ?? true;
  const s = sections(sdp);
  const mids: string[] = [];
  let streamId: string | undefined;
  s.media = s.media.map((m, index) => {
    let out = m.filter((l) => !/^a=(simulcast|rid|rtcp-mux-only|bundle-only|setup):/.test(l) && l !== 'a=rtcp-mux-only' && l !== 'a=bundle-only');
    // Direction: we only send.
    out = out.map((l) => (/^a=(sendrecv|recvonly|inactive)$/.test(l) ? 'a=sendonly' : l));
    if (!out.includes('a=sendonly')) out.push('a=sendonly');
    // One msid (stream id) for both tracks, so the far end lip-syncs them (RFC 8830 §2).
    out = out.map((l) => {
      const msid = /^a=msid:(\S+)(?: (\S+))?$/.exec(l);
      if (!msid) return l;
      streamId ??= msid[1];
      return `a=msid:${streamId} ${msid[2] ?? msid[1] ?? ''}`.trimEnd();
    });
    const mid = out.find((l) => l.startsWith('a=mid:'))?.slice(6);
    if (mid !== undefined) mids.push(mid);
    const muxAt = out.indexOf('a=rtcp-mux');
    if (muxAt >= 0) out.splice(muxAt + 1, 0, 'a=rtcp-mux-only');
    else out.push('a=rtcp-mux', 'a=rtcp-mux-only');
    const fp = out.findIndex((l) => l.startsWith('a=fingerprint:'));
    out.splice(fp >= 0 ? fp + 1 : out.length, 0, 'a=setup:actpass');
    if (bundleOnly && index > 0) {
      out = out.filter((l) => !l.startsWith('a=candidate:') && l !== 'a=end-of-candidates');
      out[0] = (out[0] ?? '').replace(/^(m=\S+ )\d+/, '$10');
      const midAt = out.findIndex((l) => l.startsWith('a=mid:'));
      out.splice(midAt >= 0 ? midAt + 1 : out.length, 0, 'a=bundle-only');
    }
    return out;
  });
  s.session = s.session.filter((l) => !l.startsWith('a=group:BUNDLE'));
  if (mids.length > 0) s.session.push(`a=group:BUNDLE ${mids.join(' ')}`);
  return join(s);
}

export interface IceParams {
  ufrag: string;
  pwd: string;
  candidates: string[];
  endOfCandidates: boolean;
}

/** ICE ufrag/pwd/candidates of the first m-line (falling back to session-level ufrag/pwd). */
export function iceParams(sdp: string): IceParams {
  const s = sections(sdp);
  const first = s.media[0] ?? [];
  const pick = (attr: string): string =>
    (first.find((l) => l.startsWith(`a=${attr}:`)) ?? s.session.find((l) => l.startsWith(`a=${attr}:`)) ?? '').slice(attr.length + 3);
  return {
    ufrag: pick('ice-ufrag'),
    pwd: pick('ice-pwd'),
    candidates: [...s.session, ...first].filter((l) => l.startsWith('a=candidate:')).map((l) => l.slice(2)),
    endOfCandidates: [...s.session, ...first].includes('a=end-of-candidates'),
  };
}

/**
 * An RFC 8840 §9 trickle-ice-sdpfrag for WHIP (RFC 9725 §4.3.1): session-level ICE credentials
 * and options, then only the first m-line with its mid and the given candidates.
 */
export function buildSdpFrag(localSdp: string, candidates: readonly string[], endOfCandidates: boolean): string {
  const s = sections(localSdp);
  const first = s.media[0];
  if (!first) throw new Error('SDP has no m-line');
  const p = iceParams(localSdp);
  const opts = (first.find((l) => l.startsWith('a=ice-options:')) ?? s.session.find((l) => l.startsWith('a=ice-options:'))) ?? 'a=ice-options:trickle';
  const mline = (first[0] ?? '').replace(/^(m=\S+) \d+ (\S+) .*$/, '$1 9 $2 0');
  const mid = first.find((l) => l.startsWith('a=mid:'));
  const out = [opts, `a=ice-ufrag:${p.ufrag}`, `a=ice-pwd:${p.pwd}`, mline];
  if (mid) out.push(mid);
  for (const c of candidates) out.push(c.startsWith('a=') ? c : `a=${c}`);
  if (endOfCandidates) out.push('a=end-of-candidates');
  return out.join(CRLF) + CRLF;
}

/** Parse an sdpfrag answer (RFC 8840 §9): ICE credentials and candidates, wherever they sit. */
export function parseSdpFrag(frag: string): IceParams {
  const ls = lines(frag);
  const val = (attr: string): string => (ls.find((l) => l.startsWith(`a=${attr}:`)) ?? '').slice(attr.length + 3);
  return {
    ufrag: val('ice-ufrag'),
    pwd: val('ice-pwd'),
    candidates: ls.filter((l) => l.startsWith('a=candidate:')).map((l) => l.slice(2)),
    endOfCandidates: ls.includes('a=end-of-candidates'),
  };
}

/**
 * The remote answer with new ICE details (after an ICE restart, RFC 9725 §4.3.2): ufrag/pwd
 * replaced everywhere, old candidates dropped, the new ones put into every bundled m-line.
 */
export function applyRemoteIce(answer: string, ice: IceParams): string {
  const s = sections(answer);
  const swap = (l: string): string =>
    l.startsWith('a=ice-ufrag:') ? `a=ice-ufrag:${ice.ufrag}` : l.startsWith('a=ice-pwd:') ? `a=ice-pwd:${ice.pwd}` : l;
  s.session = s.session.filter((l) => !l.startsWith('a=candidate:') && l !== 'a=end-of-candidates').map(swap);
  s.media = s.media.map((m) => {
    const kept = m.filter((l) => !l.startsWith('a=candidate:') && l !== 'a=end-of-candidates').map(swap);
    kept.push(...ice.candidates.map((c) => `a=${c}`));
    if (ice.endOfCandidates) kept.push('a=end-of-candidates');
    return kept;
  });
  return join(s);
}

/** RFC 6184 §8.1 profile-level-id (6 hex digits) from an SPS NAL unit (with its header byte). */
export function profileLevelIdFromSps(sps: Uint8Array): string | undefined {
  if (sps.length < 4 || ((sps[0] ?? 0) & 0x1f) !== 7) return undefined;
  return [sps[1], sps[2], sps[3]].map((b) => (b ?? 0).toString(16).padStart(2, '0')).join('');
}

/** Payload type the answer gave a codec (e.g. 'H264'), first match, or undefined. */
export function payloadTypeOf(sdp: string, codec: string): number | undefined {
  const re = new RegExp(`^a=rtpmap:(\\d+) ${codec}/`, 'i');
  for (const l of lines(sdp)) {
    const m = re.exec(l);
    if (m) return Number(m[1]);
  }
  return undefined;
}
