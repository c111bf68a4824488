// Transport-wide CC feedback parsing, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.
import { describe, expect, it } from 'vitest';
import { parseTransportFeedback, TWCC_MAX_STATUS_COUNT } from '../../../../src/main/protocol/cc/twcc';
import { ProtocolError } from '../../../../src/shared/errors';
import { writeTwcc } from '../../../helpers/rtcp-writer';

/** An RTPFB FMT 15 packet around `fci` (from base sequence number on), zero-padded to 32 bits. */
function twcc(fci: number[], opts: { pad?: boolean; lengthWords?: number } = {}): Uint8Array {
  const body = [0, 0, 0, 1, 0, 0, 0, 2, ...fci];
  while (body.length % 4 !== 0) body.push(0);
  if (opts.pad) body.push(0, 0, 0, 4); // RFC 3550 §6.4.1 padding: the last octet counts itself
  const words = opts.lengthWords ?? body.length / 4;
  return new Uint8Array([0x80 | 15 | (opts.pad ? 0x20 : 0), 205, words >> 8, words & 0xff, ...body]);
}

function fails(pkt: Uint8Array, message: RegExp): void {
  let err: unknown;
  try {
    parseTransportFeedback(pkt);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProtocolError);
  expect((err as ProtocolError).message).toMatch(message);
}

describe('TWCC feedback parser (§3.1)', () => {
  it('parses a 2-bit status vector with small, large (negative) and missing packets across the seq wrap', () => {
    // base 0xfffe, 5 statuses, reference time 16 (× 64 ms), feedback count 7.
    // Chunk 0xd850: 2-bit vector [small, large, not received, small, small, (pad ×2)].
    // Deltas: +4 ticks (1 ms), −8 ticks (−2 ms, 16-bit), +8 ticks, +0.
    const fb = parseTransportFeedback(twcc([0xff, 0xfe, 0, 5, 0, 0, 16, 7, 0xd8, 0x50, 4, 0xff, 0xf8, 8, 0]));
    expect(fb).toMatchObject({ senderSsrc: 1, mediaSsrc: 2, baseSeq: 0xfffe, statusCount: 5, referenceTime: 16, feedbackCount: 7 });
    expect(fb.received).toEqual([
      { seq: 0xfffe, index: 0, arrivalUs: 1000 },
      { seq: 0xffff, index: 1, arrivalUs: -1000 },
      { seq: 1, index: 3, arrivalUs: 1000 },
      { seq: 2, index: 4, arrivalUs: 1000 },
    ]);
  });

  it('parses run-length chunks and a 1-bit vector', () => {
    // Run of 3 "small" (0x2003), run of 2 "not received" (0x0002), 1-bit vector 0b1010... over 14.
    // 0xa801 = T=1, S=0, symbols 1,0,1,0,0,0,0,0,0,0,0,0,0,1: 3 + 2 + 14 = 19 statuses.
    const fci = [0, 10, 0, 19, 0, 0, 1, 0, 0x20, 0x03, 0x00, 0x02, 0xa8, 0x01];
    const deltas = [1, 2, 3, 4, 5, 6];
    const fb = parseTransportFeedback(twcc([...fci, ...deltas]));
    expect(fb.statusCount).toBe(19);
    expect(fb.received.map((r) => r.index)).toEqual([0, 1, 2, 5, 7, 18]);
    expect(fb.received.map((r) => r.seq)).toEqual([10, 11, 12, 15, 17, 28]);
    expect(fb.received.map((r) => r.arrivalUs)).toEqual([250, 750, 1500, 2500, 3750, 5250]);
    expect(fb.referenceTime).toBe(1);
  });

  it('round-trips what the test writer produces (runs, both vectors, wrap, 24-bit reference)', () => {
    const arrivals: (number | null)[] = [];
    const t0 = (2 ** 24 * 64 - 100) * 1000; // the reference time wraps inside this feedback
    for (let i = 0; i < 300; i++) arrivals.push(i % 17 === 3 || (i > 100 && i < 140) ? null : t0 + i * 900 + (i % 5 === 0 ? -1500 : 0));
    const bytes = writeTwcc({ baseSeq: 65_500, feedbackCount: 255, arrivalsUs: arrivals });
    const fb = parseTransportFeedback(bytes);
    const ref = Math.floor(t0 / 64_000);
    expect(fb.referenceTime).toBe(ref % 2 ** 24);
    expect(fb.received.length).toBe(arrivals.filter((a) => a !== null).length);
    for (const r of fb.received) {
      expect(r.seq).toBe((65_500 + r.index) & 0xffff);
      expect(ref * 64_000 + r.arrivalUs).toBe(Math.round(arrivals[r.index]! / 250) * 250);
    }
  });

  it('honours RTCP padding (P bit) and ignores symbols a last vector carries past the count', () => {
    // 0xa000: a 1-bit vector of 14 whose first symbol is the only status counted.
    const fb = parseTransportFeedback(twcc([0, 0, 0, 1, 0, 0, 0, 0, 0xa0, 0x00, 9], { pad: true }));
    expect(fb.statusCount).toBe(1);
    expect(fb.received).toEqual([{ seq: 0, index: 0, arrivalUs: 9 * 250 }]);
  });

  it('rejects malformed feedback with a ProtocolError', () => {
    fails(twcc([0, 0, 0, 1]), /truncated header/);
    fails(twcc([0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x01, 0]), /status count 0/);
    fails(twcc([0, 0, (TWCC_MAX_STATUS_COUNT + 1) >> 8, (TWCC_MAX_STATUS_COUNT + 1) & 0xff, 0, 0, 0, 0, 0x1f, 0xff]), /status count/);
    fails(twcc([0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x01, 0]), /reserved symbol in a run/);
    fails(twcc([0, 0, 0, 1, 0, 0, 0, 0, 0xf0, 0x00, 0]), /reserved symbol in a vector/);
    fails(twcc([0, 0, 0, 1, 0, 0, 0, 0, 0x20, 0x00]), /empty run/);
    fails(twcc([0, 0, 0, 30, 0, 0, 0, 0, 0x00, 0x05, 0x00, 0x05]), /chunks truncated/);
    fails(twcc([0, 0, 0, 3, 0, 0, 0, 0, 0x40, 0x03, 1, 2]), /more received packets than receive deltas|deltas truncated/);
    fails(twcc([0, 0, 0, 2, 0, 0, 0, 0, 0x40, 0x02, 1, 0x7f]), /deltas truncated/);
    fails(twcc([0, 0, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 1, 0, 0, 0, 0, 0, 0, 0]), /bytes after the receive deltas/);
    // Two +8.19 s deltas: 16 s of receive times in one feedback.
    fails(twcc([0, 0, 0, 2, 0, 0, 0, 0, 0x40, 0x02, 0x7f, 0xff, 0x7f, 0xff]), /span/);
    // 8191 "received" statuses claimed in a 24-byte packet: rejected before any delta is read.
    fails(twcc([0, 0, 0x1f, 0xff, 0, 0, 0, 0, 0x3f, 0xff, 1, 2]), /more received packets than receive deltas/);
    fails(twcc([0, 0, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 1], { lengthWords: 9 }), /length/);
    const notTwcc = twcc([0, 0, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 1]);
    notTwcc[0] = 0x81; // FMT 1 (generic NACK)
    fails(notTwcc, /not RTPFB FMT 15/);
    const badPad = twcc([0, 0, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 1], { pad: true });
    badPad[badPad.length - 1] = 0;
    fails(badPad, /padding/);
  });

  it('bounds the output by the packet: a run of 8191 lost packets allocates no entry each', () => {
    const fb = parseTransportFeedback(twcc([0, 0, 0x1f, 0xff, 0, 0, 0, 0, 0x1f, 0xff]));
    expect(fb.statusCount).toBe(8191);
    expect(fb.received).toEqual([]);
  });
});
