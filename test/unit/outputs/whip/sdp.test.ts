// SDP changes for WHIP (RFC 9725 §4.2, RFC 8858, RFC 8843, RFC 8840 sdpfrag, RFC 6184 §8.1).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyRemoteIce,
  buildSdpFrag,
  iceParams,
  mungeOffer,
  parseSdpFrag,
  payloadTypeOf,
  profileLevelIdFromSps,
} from '../../../../src/main/outputs/whip/sdp';
import { ANSWER } from './scripted-server';

const OFFER = readFileSync(new URL('../../../fixtures/whip/werift-offer.sdp', import.meta.url), 'utf8');
const mlines = (sdp: string): string[][] => {
  const out: string[][] = [];
  for (const l of sdp.split(/\r?\n/)) if (l.startsWith('m=')) out.push([l]);
  else if (l && out.length) out[out.length - 1]!.push(l);
  return out;
};

describe('mungeOffer', () => {
  const munged = mungeOffer(OFFER);

  it('adds a=rtcp-mux-only after a=rtcp-mux in every m-line (RFC 8858)', () => {
    for (const m of mlines(munged)) {
      const i = m.indexOf('a=rtcp-mux');
      expect(i).toBeGreaterThan(0);
      expect(m[i + 1]).toBe('a=rtcp-mux-only');
      expect(m.filter((l) => l === 'a=rtcp-mux-only').length).toBe(1);
    }
  });

  it('is idempotent', () => {
    expect(mungeOffer(munged)).toBe(munged);
  });

  it('keeps one BUNDLE group with every mid, sendonly, setup:actpass exactly once per m-line', () => {
    expect(munged.match(/^a=group:BUNDLE .*$/gm)).toEqual(['a=group:BUNDLE 0 1']);
    for (const m of mlines(munged)) {
      expect(m.filter((l) => l.startsWith('a=setup:'))).toEqual(['a=setup:actpass']);
      expect(m).toContain('a=sendonly');
      expect(m.some((l) => /^a=(sendrecv|recvonly|inactive)$/.test(l))).toBe(false);
    }
    expect(munged.endsWith('\r\n')).toBe(true);
    expect(munged).not.toMatch(/[^\r]\n/);
  });

  it('shares one msid stream id across both tracks, keeping track ids', () => {
    const withTwo = OFFER.replace(/a=msid:(\S+) (\S+)/, 'a=msid:other-stream $2');
    const ids = [...mungeOffer(withTwo).matchAll(/^a=msid:(\S+) (\S+)/gm)];
    expect(ids.length).toBe(2);
    expect(ids[0]![1]).toBe(ids[1]![1]);
    expect(ids[0]![2]).not.toBe(ids[1]![2]);
  });

  it('removes simulcast and rid lines; rewrites setup:active/passive to actpass', () => {
    const sim = OFFER.replace('a=mid:1', 'a=mid:1\r\na=rid:h send\r\na=rid:l send\r\na=simulcast:send h;l').replace(/a=setup:actpass/g, 'a=setup:active');
    const m = mungeOffer(sim);
    expect(m).not.toMatch(/a=simulcast|a=rid:/);
    expect(m.match(/a=setup:actpass/g)?.length).toBe(2);
    expect(m).not.toMatch(/a=setup:active\r/);
  });

  it('bundle-only on request: later m-lines port 0, a=bundle-only, no candidates (JSEP §5.2.1)', () => {
    const [first, second] = mlines(mungeOffer(OFFER, { bundleOnly: true }));
    expect(first![0]).toMatch(/^m=audio 9 /);
    expect(first!.some((l) => l.startsWith('a=candidate:'))).toBe(true);
    expect(second![0]).toMatch(/^m=video 0 /);
    expect(second).toContain('a=bundle-only');
    expect(second!.some((l) => l.startsWith('a=candidate:'))).toBe(false);
  });

  it('never carries Google STUN or ICE lite', () => {
    expect(munged).not.toMatch(/google|ice-lite/);
  });
});

describe('sdpfrag (RFC 8840 §9, RFC 9725 §4.3)', () => {
  it('builds a fragment with ICE credentials and only the first m-line', () => {
    const p = iceParams(OFFER);
    expect(p.ufrag).toMatch(/^\w+$/);
    expect(p.candidates.length).toBeGreaterThan(0);
    const frag = buildSdpFrag(OFFER, p.candidates, true);
    const ls = frag.trimEnd().split('\r\n');
    expect(ls[0]).toBe('a=ice-options:trickle');
    expect(ls[1]).toBe(`a=ice-ufrag:${p.ufrag}`);
    expect(ls[2]).toBe(`a=ice-pwd:${p.pwd}`);
    expect(ls[3]).toBe('m=audio 9 UDP/TLS/RTP/SAVPF 0');
    expect(ls[4]).toBe('a=mid:0');
    expect(ls.filter((l) => l.startsWith('m=')).length).toBe(1);
    expect(ls.filter((l) => l.startsWith('a=candidate:')).length).toBe(p.candidates.length);
    expect(ls[ls.length - 1]).toBe('a=end-of-candidates');
    expect(frag).not.toMatch(/^v=|^o=|^s=/m);
  });

  it('parses an answer fragment and applies it to the remote description', () => {
    const frag = 'a=ice-ufrag:NEWU\r\na=ice-pwd:NEWPASSWORD0123456789\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 99 127.0.0.1 7000 typ host\r\na=end-of-candidates\r\n';
    const ice = parseSdpFrag(frag);
    expect(ice).toEqual({ ufrag: 'NEWU', pwd: 'NEWPASSWORD0123456789', candidates: ['candidate:1 1 udp 99 127.0.0.1 7000 typ host'], endOfCandidates: true });
    const updated = applyRemoteIce(ANSWER.replace('a=mid:0', 'a=mid:0\r\na=candidate:9 1 udp 1 10.0.0.1 1 typ host'), ice);
    expect(updated).not.toMatch(/ice-ufrag:abcd|10\.0\.0\.1/);
    expect(updated.match(/a=ice-ufrag:NEWU/g)?.length).toBe(1);
    expect(updated.match(/a=candidate:1 1 udp 99 127\.0\.0\.1 7000 typ host/g)?.length).toBe(2);
  });
});

describe('H.264 SDP parameters', () => {
  it('profile-level-id comes from SPS bytes 1–3 (RFC 6184 §8.1)', () => {
    expect(profileLevelIdFromSps(Uint8Array.of(0x67, 0x42, 0xe0, 0x1f, 0xda))).toBe('42e01f');
    expect(profileLevelIdFromSps(Uint8Array.of(0x67, 0x64, 0x00, 0x28))).toBe('640028');
    expect(profileLevelIdFromSps(Uint8Array.of(0x68, 0x42, 0xe0, 0x1f))).toBeUndefined();
    expect(profileLevelIdFromSps(Uint8Array.of(0x67, 0x42))).toBeUndefined();
  });

  it('finds payload types in an answer', () => {
    expect(payloadTypeOf(ANSWER, 'H264')).toBe(96);
    expect(payloadTypeOf(ANSWER, 'opus')).toBe(111);
    expect(payloadTypeOf(ANSWER, 'VP8')).toBeUndefined();
  });
});
