// RR/SR report blocks and RTT (RFC 3550 §6.4), REMB (draft-alvestrand-rmcat-remb-03 §2.2) and the
// compound walk (RFC 3550 §6.1).
import { describe, expect, it } from 'vitest';
import {
  ntpMiddle32, parseReceptionReport, parseRemb, parseRtcpFeedback, rttMsFromNtp, type ReportBlock,
} from '../../../../src/main/protocol/cc/rtcp';
import { SenderReportLog } from '../../../../src/main/protocol/cc/rtt';
import { ProtocolError } from '../../../../src/shared/errors';
import { concat, writeRemb, writeRr, writeSr, writeTwcc } from '../../../helpers/rtcp-writer';

const block: ReportBlock = {
  ssrc: 0xdeadbeef, fractionLost: 64, cumulativeLost: -3, highestSeq: 0x0001_0010, jitter: 90, lsr: 0x1234_5678, dlsr: 0x8000,
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('receiver reports (RFC 3550 §6.4)', () => {
  it('parses RR blocks, including a negative cumulative loss (24-bit signed)', () => {
    const rr = parseReceptionReport(writeRr([block, { ...block, ssrc: 7, cumulativeLost: 0x7fffff, fractionLost: 255 }], 0xabc));
    expect(rr.type).toBe('rr');
    expect(rr.senderSsrc).toBe(0xabc);
    expect(rr.blocks).toEqual([block, { ...block, ssrc: 7, cumulativeLost: 0x7fffff, fractionLost: 255 }]);
    expect(rr.sender).toBeUndefined();
  });

  it('parses an SR with sender info and a block, and tolerates a profile extension', () => {
    const sr = writeSr({ senderSsrc: 5, ntpSeconds: 0xe000_0001, ntpFraction: 0x8000_0000, rtpTimestamp: 90_000, packetCount: 10, octetCount: 12_000, blocks: [block] });
    const withExt = new Uint8Array([...sr, 1, 2, 3, 4]);
    withExt[3] = withExt[3]! + 1; // one more word
    for (const bytes of [sr, withExt]) {
      const r = parseReceptionReport(bytes);
      expect(r.type).toBe('sr');
      expect(r.sender).toEqual({ ntpSeconds: 0xe000_0001, ntpFraction: 0x8000_0000, rtpTimestamp: 90_000, packetCount: 10, octetCount: 12_000 });
      expect(r.blocks).toEqual([block]);
    }
    expect(ntpMiddle32(0xe000_0001, 0x8000_0000)).toBe(0x0001_8000);
  });

  it('rejects a report count the length cannot hold', () => {
    const rr = writeRr([block]);
    rr[0] = 0x82; // RC 2
    expect(thrown(() => parseReceptionReport(rr))).toBeInstanceOf(ProtocolError);
    expect(thrown(() => parseReceptionReport(writeRemb(1000)))).toBeInstanceOf(ProtocolError);
    expect(thrown(() => parseReceptionReport(new Uint8Array([0x40, 201, 0, 1, 0, 0, 0, 0])))).toBeInstanceOf(ProtocolError); // version 1
  });

  it('computes the RTT as A − LSR − DLSR (§6.4.1), from NTP or from our SR send log', () => {
    const b = { ...block, lsr: 0x0010_0000, dlsr: 0x0001_0000 }; // SR at 16 s; held 1 s
    expect(rttMsFromNtp(b, 0x0011_8000)).toBe(500); // arrives at 17.5 s
    expect(rttMsFromNtp({ ...b, lsr: 0 }, 0x0011_8000)).toBeUndefined();
    expect(rttMsFromNtp(b, 0x0010_8000)).toBeUndefined(); // negative: broken DLSR
    const log = new SenderReportLog();
    log.add(0x0010_0000, 1000, 2e6);
    expect(log.rttMs(b, 2080)).toBeCloseTo(80, 6);
    expect(log.find(b)).toEqual({ sentMs: 1000, sendRateBps: 2e6 });
    expect(log.rttMs({ ...b, lsr: 0x0020_0000 }, 2080)).toBeUndefined(); // not our SR
    expect(log.rttMs(b, 1990)).toBeUndefined(); // DLSR beyond our clock
    for (let i = 0; i < 40; i++) log.add(i + 1, 3000 + i);
    expect(log.size).toBe(16); // bounded
    expect(log.find(b)).toBeUndefined();
  });
});

describe('REMB (draft-alvestrand-rmcat-remb-03 §2.2)', () => {
  it('parses exponent and mantissa and the SSRC list', () => {
    const remb = parseRemb(writeRemb(2_500_000, [0x11, 0x22], 9));
    expect(remb.senderSsrc).toBe(9);
    expect(remb.ssrcs).toEqual([0x11, 0x22]);
    // 2.5e6 needs 22 bits: mantissa 2.5e6 >> 4, exponent 4 (the writer truncates like a receiver).
    expect(remb.bitrateBps).toBe(Math.floor(2_500_000 / 16) * 16);
    expect(parseRemb(writeRemb(0)).bitrateBps).toBe(0);
  });

  it('rejects a wrong SSRC count, a missing identifier and a value past 64 bits', () => {
    const bad = writeRemb(1000, [1, 2]);
    bad[16] = 3;
    expect((thrown(() => parseRemb(bad)) as Error).message).toMatch(/SSRCs/);
    const noId = writeRemb(1000);
    noId[12] = 0x41;
    expect((thrown(() => parseRemb(noId)) as Error).message).toMatch(/identifier/);
    const huge = writeRemb(1000);
    huge[17] = (63 << 2) | 3; // exponent 63 with an 18-bit mantissa
    expect((thrown(() => parseRemb(huge)) as Error).message).toMatch(/64 bits/);
    const big = writeRemb(1000);
    big[17] = (46 << 2) | 3; // 2^18 · 2^46 = 2^64 − ... still fits
    expect(parseRemb(big).bitrateBps).toBeGreaterThan(2 ** 63);
  });
});

describe('compound RTCP walk (RFC 3550 §6.1)', () => {
  it('keeps SR/RR, TWCC and REMB in order, skips SDES/PLI, reports broken packets and goes on', () => {
    const sdes = new Uint8Array([0x81, 202, 0, 2, 0, 0, 0, 1, 1, 0, 0, 0]);
    const pli = new Uint8Array([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
    const afb = new Uint8Array([0x8f, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0x41, 0x42, 0x43, 0x44]); // AFB, not REMB
    const tw = writeTwcc({ baseSeq: 100, feedbackCount: 1, arrivalsUs: [1000, null, 2000] });
    const brokenTw = tw.slice();
    brokenTw[20] = 0x60; // reserved symbol
    const datagram = concat(
      writeSr({ senderSsrc: 1, ntpSeconds: 1, ntpFraction: 0, blocks: [block] }), sdes, tw, pli, afb, brokenTw, writeRemb(3e6), writeRr([block]),
      new Uint8Array([0x80, 201, 0, 9]), // a header claiming more than is left: the walk stops
    );
    const out = parseRtcpFeedback(datagram);
    expect(out.feedback.map((f) => f.kind)).toEqual(['report', 'twcc', 'remb', 'report']);
    expect(out.errors).toHaveLength(2);
    for (const e of out.errors) {
      expect(e).toBeInstanceOf(ProtocolError);
      expect(e.code).toBe('protocol-violation');
    }
    const twcc = out.feedback[1];
    expect(twcc?.kind === 'twcc' && twcc.twcc.received.map((r) => r.seq)).toEqual([100, 102]);
  });

  it('never throws on empty or random bytes', () => {
    expect(parseRtcpFeedback(new Uint8Array(0))).toEqual({ feedback: [], errors: [] });
    expect(parseRtcpFeedback(new Uint8Array([1, 2, 3])).errors).toHaveLength(1);
  });
});
