// Malformed RTCP through the real WHIP peer (issue 13 "Bad input"): a werift receiver (the test's
// WHIP endpoint) sends the publisher crafted SRTCP — truncated and mis-sized transport-wide
// feedback, absurd deltas and counts, REMB with absurd exponents, report blocks with absurd
// LSR/DLSR, NACK storms for every sequence number, PLI floods, random bytes behind a valid RTCP
// header — properly encrypted, so that they get past SRTP into werift's parser, the peer's RTCP
// handlers and our estimator. While it does: nothing throws past the peer (no uncaught error,
// the output stays live, media keeps arriving), the controller's state stays bounded, the heap
// does not grow with the number of packets, and the target stays within [min, max].
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WhipOutput } from '../../src/main/outputs/whip/whip-output';
import { fakeOpus, h264ConfigFrom, splitAccessUnits, videoPacket } from '../unit/outputs/whip/media-source';
import { startWeriftEndpoint, type WeriftEndpoint } from '../unit/outputs/whip/werift-endpoint';
import { prng } from '../helpers/prng';
import { writeRemb, writeRr, writeSr, writeTwcc } from '../helpers/rtcp-writer';

const FIXTURE = new URL('../fixtures/whip/testsrc-640x360-90f.h264', import.meta.url);
const units = splitAccessUnits(readFileSync(FIXTURE), true).units;
const config = h264ConfigFrom(units[0]!.data, 640, 360, 30);
const MIN_KBPS = 300;
const MAX_KBPS = 2500;
// ~500 packets/s for 20 s: hostile but not a flood (a receiver sends tens per second). werift parses
// every SRTCP packet before we see it, ~0.3-1 ms for a transport-wide feedback on this machine, so a
// flood of thousands per second starves the event loop until ICE consent checks time out.
const PACKETS = 10_000;
const PER_TICK = 10;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let ep: WeriftEndpoint | undefined;
let out: WhipOutput | undefined;
afterEach(async () => {
  await out?.stop();
  await ep?.close();
  out = ep = undefined;
});

/** One crafted RTCP packet (kind chosen by the seeded PRNG), about our media SSRC `ssrc`. */
function crafted(rand: () => number, ssrc: number, seqBase: number): Uint8Array {
  const u32 = (): number => Math.floor(rand() * 0x1_0000_0000);
  const kind = Math.floor(rand() * 9);
  let b: Uint8Array;
  switch (kind) {
    case 0: // plausible feedback with absurd deltas (hours, negative) and a jumping reference time
      b = writeTwcc({ baseSeq: (seqBase + Math.floor(rand() * 2000) - 1000) & 0xffff, feedbackCount: Math.floor(rand() * 256), arrivalsUs: Array.from({ length: 1 + Math.floor(rand() * 60) }, () => (rand() < 0.3 ? null : Math.floor(rand() * 8_000_000))) });
      if (rand() < 0.5) b.set([Math.floor(rand() * 256), Math.floor(rand() * 256), Math.floor(rand() * 256)], 16); // reference time anywhere
      break;
    case 1: // REMB with any exponent and mantissa
      b = writeRemb(rand() < 0.5 ? rand() * 1e12 : Math.floor(rand() * 1000), [ssrc]);
      if (rand() < 0.5) b[17] = Math.floor(rand() * 256); // exponent (6 bits) and top of the mantissa
      break;
    case 2: // report blocks: absurd loss, LSR/DLSR, jitter
      b = writeRr([{ ssrc, fractionLost: Math.floor(rand() * 256), cumulativeLost: Math.floor(rand() * 0xffffff) - 0x800000, highestSeq: u32(), jitter: u32(), lsr: u32(), dlsr: u32() }]);
      break;
    case 3:
      b = writeSr({ senderSsrc: u32(), ntpSeconds: u32(), ntpFraction: u32(), blocks: [{ ssrc, fractionLost: 255, cumulativeLost: -1, highestSeq: 0, jitter: 0, lsr: u32(), dlsr: 0 }] });
      break;
    case 4: { // Generic NACK (RFC 4585 §6.2.1) for a run of sequence numbers, any bitmask
      b = new Uint8Array(12 + 4 * 8);
      b.set([0x81, 205, 0, 2 + 8]);
      new DataView(b.buffer).setUint32(8, ssrc);
      for (let i = 0; i < 8; i++) new DataView(b.buffer).setUint32(12 + 4 * i, u32());
      break;
    }
    case 5: // PLI (RFC 4585 §6.3.1)
      b = new Uint8Array(12);
      b.set([0x81, 206, 0, 2]);
      new DataView(b.buffer).setUint32(8, ssrc);
      break;
    default: { // a valid packet of the kinds above, then mutated: length, counts, truncation, splices
      const base = crafted(rand, ssrc, seqBase);
      const a = Array.from(base);
      for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) {
        const at = Math.floor(rand() * (a.length + 1));
        const r = Math.floor(rand() * 5);
        if (r === 0) a[at] = Math.floor(rand() * 256);
        else if (r === 1) a.length = Math.max(4, at);
        else if (r === 2) { a[2] = Math.floor(rand() * 256); a[3] = Math.floor(rand() * 256); }
        else if (r === 3) a.splice(at, 0, ...Array.from({ length: Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)));
        else { a[14] = Math.floor(rand() * 256); a[15] = Math.floor(rand() * 256); }
      }
      a[0] = 0x80 | ((a[0] ?? 0) & 0x3f); // keep version 2 so werift parses it at all
      b = Uint8Array.from(a);
    }
  }
  return b;
}

describe('malformed RTCP through the real WHIP peer', () => {
  it(`${PACKETS} crafted SRTCP packets: nothing escapes, state and heap stay bounded, the target stays in [min, max]`, async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    try {
      ep = await startWeriftEndpoint();
      out = new WhipOutput({ id: 'fuzz', url: ep.url, videoBitrateKbps: MAX_KBPS, minKbps: MIN_KBPS, maxKbps: MAX_KBPS });
      const errors: string[] = [];
      out.on('error', (e) => errors.push(e.message));
      out.on('state', (st) => errors.push(`state ${st} at ${Math.round(performance.now())}`));
      const o = out;
      await o.start([config, { codec: 'opus', sampleRate: 48000, channels: 2 }]);
      const t0 = performance.now();
      let v = 0;
      let a = 0;
      const feeder = setInterval(() => {
        const us = (performance.now() - t0) * 1000;
        while (v * 33_333 <= us) o.write(videoPacket(units[v % units.length]!, Math.round((performance.timeOrigin + t0) * 1000) + v++ * 33_333));
        while (a * 20_000 <= us) o.write(fakeOpus(Math.round((performance.timeOrigin + t0) * 1000) + a++ * 20_000));
      }, 10);
      try {
        await ep.connected();
        await new Promise((r) => setTimeout(r, 1500));
        const ssrc = ep.videoSsrc();
        expect(ssrc).not.toBe(0);
        gc();
        const heapBefore = process.memoryUsage().heapUsed;
        const rand = prng(13);
        const targets: number[] = [];
        let sent = 0;
        const rtpBefore = ep.rtp.length;
        while (sent < PACKETS) {
          const seqBase = ep.rtp[ep.rtp.length - 1]?.packet.header.sequenceNumber ?? 0;
          for (let i = 0; i < PER_TICK && sent < PACKETS; i++, sent++) {
            if (o.state !== "live") throw new Error(`output ${o.state} after ${sent} packets: ${errors.join("; ")} ${JSON.stringify(o.stats().lastError)} uncaught: ${uncaught.map(String).join(" / ").slice(0, 500)}`);
            await ep.sendRawRtcp(crafted(rand, ssrc, seqBase));
          }
          const s = o.stats();
          if (s.targetBitrateKbps !== undefined) targets.push(s.targetBitrateKbps);
          if (s.availableBitrateKbps !== undefined) targets.push(s.availableBitrateKbps);
          await new Promise((r) => setTimeout(r, 20));
        }
        await new Promise((r) => setTimeout(r, 1000));
        const rtpDuring = ep.rtp.length - rtpBefore;
        gc();
        const heapAfter = process.memoryUsage().heapUsed;
        const peer = (o as unknown as { conn?: { peer?: { congestion?: { malformed: number; bwe: { stats(): { historyEntries: number; srLogEntries: number; rttSamples: number } } } } } }).conn?.peer;
        const bwe = peer?.congestion?.bwe.stats();
        const s = o.stats();
        console.log('rtcp-fuzz', JSON.stringify({ sent, malformed: peer?.congestion?.malformed, bwe, heapGrowthMb: +((heapAfter - heapBefore) / 1e6).toFixed(1), targetRange: [Math.min(...targets), Math.max(...targets)], nacks: s.nacks, retransmits: s.retransmits, plis: s.plis, rtpDuring, state: o.state, errors }));
        expect(uncaught).toEqual([]);
        expect(o.state).toBe('live');
        expect(rtpDuring).toBeGreaterThan(300); // media kept flowing through the storm
        expect(targets.length).toBeGreaterThan(500);
        expect(Math.min(...targets)).toBeGreaterThanOrEqual(MIN_KBPS);
        expect(Math.max(...targets)).toBeLessThanOrEqual(MAX_KBPS);
        expect(bwe?.historyEntries).toBeLessThanOrEqual(1 << 14);
        expect(bwe?.srLogEntries).toBeLessThan(100);
        expect(bwe?.rttSamples).toBeLessThan(1000);
        // Bounded state, not a per-packet leak: 10k packets × even 1 kB each would be 10 MB.
        expect(heapAfter - heapBefore).toBeLessThan(8e6);
      } finally {
        clearInterval(feeder);
      }
    } finally {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    }
  });
});
