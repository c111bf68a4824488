// The WHIP peer's plain-data halves (src/main/outputs/whip/peer-repair.ts).
import { describe, expect, it } from 'vitest';
import { RetransmissionBuffer } from '../../../../src/main/outputs/whip/history';
import { RepairPolicy } from '../../../../src/main/protocol/rtp/repair';
import { CONGESTED_BACKLOG_MS, peerStats, planRepairs, rtxPayload } from '../../../../src/main/outputs/whip/peer-repair';

const sent = (seq: number, at: number) => ({ seq, timestamp: seq * 3000, marker: false, payload: new Uint8Array([seq & 0xff, 1, 2]), sentMs: at, lastSentMs: at, resends: 0 });

describe('planRepairs', () => {
  it('answers each held packet once per RTT, in more copies at higher loss, first copies first', () => {
    const h = new RetransmissionBuffer(64, 1000);
    for (const s of [10, 11, 12]) h.put(sent(s, 0));
    const low = planRepairs(h, new RepairPolicy(), [10, 11, 99], 50, 100, 0);
    expect(low.packets.map((p) => p.seq)).toEqual([10, 11]);
    expect(low.missing).toBe(1);
    expect(planRepairs(h, new RepairPolicy(), [10], 80, 100, 0).packets).toEqual([]); // within one RTT
    const lossy = planRepairs(h, new RepairPolicy(), [12, 11], 300, 100, 0.05);
    expect(lossy.packets.map((p) => p.seq)).toEqual([12, 11, 12, 11, 12, 11]); // 3 copies at 5 %
  });

  it('sends one copy on a congested link (a pacer backlog past 100 ms)', () => {
    const h = new RetransmissionBuffer(64, 1000);
    for (const s of [11, 12]) h.put(sent(s, 0));
    expect(planRepairs(h, new RepairPolicy(), [11], 50, 100, 0.05, CONGESTED_BACKLOG_MS + 1).packets.map((p) => p.seq)).toEqual([11]);
    expect(planRepairs(h, new RepairPolicy(), [12], 50, 100, 0.05, CONGESTED_BACKLOG_MS).packets).toHaveLength(3);
  });

  it('does not queue a packet again while its repair still waits in the pacer', () => {
    const h = new RetransmissionBuffer(64, 1000);
    h.put(sent(10, 0));
    const first = planRepairs(h, new RepairPolicy(), [10], 50, 100, 0);
    for (const p of first.packets) h.queued(p, 1);
    // The receiver repeats its NACK every RTT while the repair waits behind a backlog.
    const again = planRepairs(h, new RepairPolicy(), [10], 400, 100, 0);
    expect(again.packets).toEqual([]);
    expect(again.throttled).toBe(1);
    h.sent(first.packets[0]!, 450); // it left: one RTT from now it may be asked for again
    expect(planRepairs(h, new RepairPolicy(), [10], 500, 100, 0).packets).toEqual([]);
    expect(planRepairs(h, new RepairPolicy(), [10], 560, 100, 0).packets.map((p) => p.seq)).toEqual([10]);
  });
});

describe('rtxPayload', () => {
  it('is the original sequence number, then the original payload (RFC 4588 §4)', () => {
    expect([...rtxPayload(sent(0x1234, 0))]).toEqual([0x12, 0x34, 0x34, 1, 2]);
  });
});

describe('peerStats', () => {
  const counters = { bytesSent: 1, packetsSent: 2, nacks: 3, retransmits: 4, nackMissing: 5, nackThrottled: 6, plis: 7, firs: 8 };
  it("takes RTT from the receiver's reports only where the controller has none", () => {
    const remote = [{ type: 'outbound-rtp' }, { type: 'remote-inbound-rtp', roundTripTime: 0.042, fractionLost: 0.01 }];
    const a = peerStats(counters, { bitrateBps: 2_500_400, targetKbps: 2400, mode: 'transport-cc', lossFraction: 0, rttMs: undefined }, 12, true, remote);
    expect(a).toMatchObject({ ...counters, availableBitrateKbps: 2500, targetBitrateKbps: 2400, pacerDelayMs: 12, rtx: true, rttMs: 42, lossFraction: 0.01 });
    expect(peerStats(counters, { bitrateBps: 0, targetKbps: 300, mode: 'receiver-reports', lossFraction: 0, rttMs: 80 }, 0, false, remote).rttMs).toBe(80);
  });
});
