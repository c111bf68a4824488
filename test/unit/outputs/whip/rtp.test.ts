// H.264 packetization against RFC 6184 (§5.1 marker, §5.3 NRI, §5.6 single NAL, §5.7.1 STAP-A,
// §5.8 FU-A) from the engine's access-unit format (NAL units), and the NACK history / pacer.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { splitAnnexB } from '../../../../src/main/protocol/h264/annexb';
import { stripDelimiters, withParameterSets } from '../../../../src/main/protocol/h264/access-unit';
import { PacketHistory, RetransmissionBuffer, historySize, type SentPacket } from '../../../../src/main/outputs/whip/history';
import { Pacer } from '../../../../src/main/outputs/whip/pacer';
import { MAX_RTP_PAYLOAD, packetizeH264 } from '../../../../src/main/protocol/rtp/h264';
import { h264ConfigFrom, splitAccessUnits } from './media-source';

const units = splitAccessUnits(readFileSync(new URL('../../../fixtures/whip/testsrc-640x360-90f.h264', import.meta.url)), true).units;
const config = h264ConfigFrom(units[0]!.data, 640, 360, 30);

/** Reassemble NAL units from one access unit's RTP payloads, checking RFC 6184 rules on the way. */
function depacketize(payloads: Uint8Array[]): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let fu: number[] | undefined;
  for (const p of payloads) {
    expect(p.length).toBeLessThanOrEqual(MAX_RTP_PAYLOAD);
    const type = p[0]! & 0x1f;
    expect(p[0]! & 0x80).toBe(0); // F bit
    if (type >= 1 && type <= 23) {
      expect(fu).toBeUndefined();
      nals.push(p);
    } else if (type === 24) {
      let o = 1;
      let maxNri = 0;
      while (o < p.length) {
        const size = (p[o]! << 8) | p[o + 1]!;
        const nal = p.subarray(o + 2, o + 2 + size);
        maxNri = Math.max(maxNri, (nal[0]! >> 5) & 3);
        nals.push(nal);
        o += 2 + size;
      }
      expect(o).toBe(p.length);
      expect((p[0]! >> 5) & 3).toBe(maxNri); // §5.7.1: NRI = max of the aggregated NRIs
    } else if (type === 28) {
      const s = (p[1]! & 0x80) !== 0;
      const e = (p[1]! & 0x40) !== 0;
      expect(p[1]! & 0x20).toBe(0); // R bit
      expect(s && e).toBe(false); // §5.8: a whole NAL is never one FU
      if (s) {
        expect(fu).toBeUndefined();
        fu = [(p[0]! & 0xe0) | (p[1]! & 0x1f), ...p.subarray(2)]; // NRI from the FU indicator
      } else {
        expect(fu).toBeDefined();
        fu!.push(...p.subarray(2));
      }
      if (e) {
        nals.push(Uint8Array.from(fu!));
        fu = undefined;
      }
    } else throw new Error(`unexpected NAL type ${type}`);
  }
  expect(fu).toBeUndefined();
  return nals;
}

describe('packetizeH264 (RFC 6184, packetization-mode=1)', () => {
  const hexes = (nals: readonly Uint8Array[]): string[] => nals.map((u) => Buffer.from(u).toString('hex'));

  it('round-trips every access unit of the fixture and marks only the last packet', () => {
    let fuSeen = 0;
    for (const au of units) {
      const nals = stripDelimiters(splitAnnexB(au.data));
      const packets = packetizeH264(nals);
      expect(packets.length).toBeGreaterThan(0);
      packets.forEach((p, k) => {
        expect(p.marker).toBe(k === packets.length - 1);
        if ((p.payload[0]! & 0x1f) === 28) fuSeen++;
      });
      expect(hexes(depacketize(packets.map((p) => p.payload)))).toEqual(hexes(nals));
      if (au.keyframe) {
        // SPS and PPS (and SEI) travel aggregated in the IDR's first packet
        const first = packets[0]!.payload;
        expect(first[0]! & 0x1f).toBe(24);
        expect(depacketize([first]).map((n) => n[0]! & 0x1f).slice(0, 2)).toEqual([7, 8]);
      }
    }
    expect(fuSeen).toBeGreaterThan(0);
  });

  it('never sends AUDs or filler; an IDR given its SPS/PPS first starts with them in a STAP-A', () => {
    const idr = units.find((u) => u.keyframe)!;
    const nals = splitAnnexB(idr.data);
    expect(nals.some((n) => (n[0]! & 0x1f) === 9)).toBe(true);
    const bare = nals.filter((n) => ![7, 8, 9].includes(n[0]! & 0x1f));
    const filler = new Uint8Array([0x0c, 0xff, 0xff]);
    const packets = packetizeH264([new Uint8Array([0x09, 0xf0]), ...withParameterSets([...bare, filler], config.sps, config.pps)]);
    expect(packets[0]!.payload[0]! & 0x1f).toBe(24);
    const out = depacketize(packets.map((p) => p.payload));
    expect(out.map((n) => n[0]! & 0x1f).slice(0, 2)).toEqual([7, 8]);
    expect(out.some((n) => [9, 12].includes(n[0]! & 0x1f))).toBe(false);
  });

  it('fragments a large NAL with FU-A, keeping NRI and type, within the MTU', () => {
    const big = new Uint8Array(5000).fill(0xab);
    big[0] = 0x65; // NRI 3, IDR
    const packets = packetizeH264([big]);
    expect(packets.length).toBe(Math.ceil(4999 / (MAX_RTP_PAYLOAD - 2)));
    packets.forEach((p, i) => {
      expect(p.payload[0]).toBe(0x60 | 28);
      expect(p.payload[1]! & 0x1f).toBe(5);
      expect(Boolean(p.payload[1]! & 0x80)).toBe(i === 0);
      expect(Boolean(p.payload[1]! & 0x40)).toBe(i === packets.length - 1);
      expect(p.payload.length).toBeLessThanOrEqual(MAX_RTP_PAYLOAD);
    });
    expect(Buffer.from(depacketize(packets.map((p) => p.payload))[0]!)).toEqual(Buffer.from(big));
  });

  it('a NAL one byte over the bound is two fragments; one that fits is a single NAL packet', () => {
    const n = new Uint8Array(MAX_RTP_PAYLOAD + 1).fill(1);
    n[0] = 0x41;
    // FU indicator + header (2) + 1198 bytes, then 2 + the last 2 bytes (the NAL header byte is not repeated)
    expect(packetizeH264([n]).map((p) => p.payload.length)).toEqual([MAX_RTP_PAYLOAD, 4]);
    const fits = n.subarray(0, MAX_RTP_PAYLOAD);
    expect(packetizeH264([fits])).toEqual([{ payload: fits, marker: true }]);
    expect(packetizeH264([])).toEqual([]);
  });

  it('splits Annex B with 3- and 4-byte start codes and trailing zeros', () => {
    const s = Uint8Array.of(0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 0, 1, 0x68, 3, 0);
    expect(splitAnnexB(s).map((n) => [...n])).toEqual([[0x09, 0xf0], [0x67, 1, 2], [0x68, 3]]);
    expect(splitAnnexB(new Uint8Array(0))).toEqual([]);
  });
});

describe('PacketHistory (NACK, ≥1 s)', () => {
  it('is sized for at least 1 s at the bitrate, as a power of two', () => {
    const n = historySize(8000, 1000);
    expect(n).toBeGreaterThanOrEqual(1000); // 8 Mbit/s ≈ 1000 packets/s of 1000 bytes
    expect(Math.log2(n) % 1).toBe(0);
    expect(historySize(300, 1000)).toBeGreaterThanOrEqual(512);
  });

  it('keeps the newest `capacity` packets across sequence wrap', () => {
    const h = new PacketHistory<number>(1024);
    for (let i = 0; i < 3000; i++) h.put((65000 + i) & 0xffff, i);
    const newest = (65000 + 2999) & 0xffff;
    expect(h.get(newest)).toBe(2999);
    expect(h.get((newest - 1023) & 0xffff)).toBe(2999 - 1023);
    expect(h.get((newest - 1024) & 0xffff)).toBeUndefined();
    expect(h.age((newest - 5) & 0xffff)).toBe(5);
  });
});

describe('Pacer', () => {
  it('spreads a burst at the pacing rate, audio first', async () => {
    const sent: string[] = [];
    const times: number[] = [];
    const pacer = new Pacer<string>({ rateKbps: 8000, burstMs: 2, send: (p) => (sent.push(p), times.push(performance.now())) });
    const t0 = performance.now();
    pacer.push('video', Array.from({ length: 40 }, (_, i) => ({ packet: `v${i}`, bytes: 1000 })));
    pacer.push('audio', [{ packet: 'a0', bytes: 100 }]);
    expect(pacer.delayMs).toBeGreaterThan(0);
    await vi.waitFor(() => expect(sent.length).toBe(41), { timeout: 2000 });
    // 40 kB at 1 MB/s ≈ 40 ms; the audio packet went out before the tail of the burst.
    expect(times[times.length - 1]! - t0).toBeGreaterThan(25);
    expect(sent.indexOf('a0')).toBeLessThan(10);
    pacer.close();
  });

  it('keeps its rate when its timers fire late (a busy event loop): the time a backlog waited is owed to it', async () => {
    // A clock running 20× faster than the timers: every timer fires ~20× later than asked.
    const real0 = performance.now();
    const now = (): number => (performance.now() - real0) * 20;
    let done = 0;
    let lastAt = 0;
    const pacer = new Pacer<number>({ rateKbps: 8000, burstMs: 5, now, send: () => void (done++, (lastAt = now())) });
    const t0 = now();
    pacer.push('video', Array.from({ length: 400 }, (_, i) => ({ packet: i, bytes: 1000 })));
    await vi.waitFor(() => expect(done).toBe(400), { timeout: 5000, interval: 5 });
    // 400 kB at 1 MB/s = 400 ms of the pacer's clock (plus a last late tick); a burst cap of 5 ms
    // per late tick would take ~20× that.
    expect(lastAt - t0).toBeLessThan(1000);
    pacer.close();
  });

  it('serves retransmissions before new video, after audio', () => {
    let t = 0;
    const sent: string[] = [];
    const pacer = new Pacer<string>({ rateKbps: 800, burstMs: 1, now: () => t, send: (p) => void sent.push(p) });
    pacer.push('video', [{ packet: 'v0', bytes: 1000 }, { packet: 'v1', bytes: 1000 }, { packet: 'v2', bytes: 1000 }]);
    expect(sent).toEqual(['v0']);
    pacer.push('rtx', [{ packet: 'r0', bytes: 1000 }]);
    pacer.push('audio', [{ packet: 'a0', bytes: 100 }]);
    expect(sent).toEqual(['v0', 'a0']);
    t = 100;
    pacer.push('audio', []);
    expect(sent).toEqual(['v0', 'a0', 'r0', 'v1', 'v2']);
    expect(pacer.dropVideo()).toBe(0);
    pacer.close();
  });

  it('drops queued retransmissions on demand (the last resort) and returns them; audio stays', () => {
    let t = 0;
    const sent: string[] = [];
    const pacer = new Pacer<string>({ rateKbps: 800, burstMs: 1, now: () => t, send: (p) => void sent.push(p) });
    pacer.push('video', [{ packet: 'v0', bytes: 1000 }, { packet: 'v1', bytes: 1000 }]);
    pacer.push('rtx', [{ packet: 'r0', bytes: 1000 }, { packet: 'r1', bytes: 1000 }]);
    expect(pacer.delayMs).toBeCloseTo(30, 6); // 3000 bytes at 100 bytes/ms
    expect(pacer.dropRtx()).toEqual(['r0', 'r1']);
    expect(pacer.dropVideo()).toBe(1);
    expect(pacer.delayMs).toBe(0);
    pacer.push('audio', [{ packet: 'a0', bytes: 100 }]);
    t = 100;
    pacer.push('audio', []);
    expect(sent).toEqual(['v0', 'a0']);
    pacer.close();
  });
});

describe('RetransmissionBuffer (NACK answers)', () => {
  const pkt = (seq: number, sentMs: number): SentPacket => ({ seq, timestamp: seq * 3000, marker: false, payload: new Uint8Array([seq & 0xff]), sentMs, lastSentMs: sentMs, resends: 0 });

  it('answers held packets once per interval, never what it does not hold or what is too old', () => {
    const b = new RetransmissionBuffer(1024, 1000);
    for (let i = 0; i < 100; i++) b.put(pkt((65500 + i) & 0xffff, i * 10));
    const seqs = [65500, 65535, 0, 10, 99];
    let a = b.take([65535, 0, 0, 200], 995, 100);
    expect(a.packets.map((p) => p.seq)).toEqual([65535, 0]); // duplicates in one NACK count once
    expect(a.missing).toBe(1);
    a = b.take([65535, 0], 1050, 100); // asked again within the interval: the repair is on its way
    expect(a.packets).toEqual([]);
    expect(a.throttled).toBe(2);
    a = b.take([65535, 0], 1100, 100);
    expect(a.packets.map((p) => p.resends)).toEqual([2, 2]);
    a = b.take(seqs, 1501, 100); // 65500 left at 0 ms: 1501 ms old
    expect(a.packets.map((p) => p.seq)).not.toContain(65500);
  });
});
