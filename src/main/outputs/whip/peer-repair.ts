// The WHIP peer's plain-data halves (peer.ts is the werift adapter; docs/ARCHITECTURE.md "WHIP
// loss repair"): which packets a NACK gets back and in how many copies, the RFC 4588 payload of a
// retransmission, and the stats the peer reports. No werift here.
import type { RetransmissionBuffer, SentPacket } from './history';
import { repairCopies, type RepairPolicy } from '../../protocol/rtp/repair';
import type { PeerStats } from './peer-types';

export interface RepairPlan {
  /** The packets to resend, each as often as its copies: all first copies, then the second… */
  packets: SentPacket[];
  missing: number;
  throttled: number;
}

/**
 * Backlog in the pacer past which the path, not chance, is losing our packets: one copy per repair.
 * Extra copies are for random loss (repair.ts); where loss comes from a full bottleneck queue they
 * add to the overload that caused it, and each lost copy brings another NACK (the RR-only run on a
 * 3 Mbit/s tbf link: 94 % fraction lost per report, 3 copies per repair, video starved for 11 s).
 * The loss fraction cannot tell the two apart: at 5 % random loss and RTT 150 ms, transport-wide
 * feedback windows read 12-25 % at times.
 */
export const CONGESTED_BACKLOG_MS = 100;

/**
 * A Generic NACK's answer: the lost packets still held and not resent within one RTT (clamped
 * 5-500 ms, 100 ms before any RTT) nor still waiting in the pacer, in `repairCopies(loss)` copies —
 * one while the link is congested (a pacer backlog past CONGESTED_BACKLOG_MS).
 * Copies after the first go after all first copies, so one burst loss does not take them all.
 * First resends feed the policy's repair-time figure (the playout delay it asks for).
 */
export function planRepairs(history: RetransmissionBuffer, policy: RepairPolicy, lost: readonly number[], nowMs: number, rttMs: number | undefined, lossFraction: number, pacerDelayMs = 0): RepairPlan {
  const a = history.take(lost, nowMs, Math.min(500, Math.max(5, rttMs ?? 100)));
  if (a.packets.length === 0) return a;
  for (const p of a.packets) if (p.resends === 1) policy.onRepair(nowMs - p.sentMs, nowMs);
  const copies = pacerDelayMs > CONGESTED_BACKLOG_MS ? 1 : repairCopies(lossFraction);
  const packets: SentPacket[] = [];
  for (let c = 0; c < copies; c++) packets.push(...a.packets);
  return { packets, missing: a.missing, throttled: a.throttled };
}

/** RFC 4588 §4: an RTX payload is the original sequence number, then the original payload. */
export function rtxPayload(p: SentPacket): Buffer {
  const payload = Buffer.allocUnsafe(p.payload.length + 2);
  payload.writeUInt16BE(p.seq, 0);
  payload.set(p.payload, 2);
  return payload;
}

/** The counts the peer keeps itself (the rest of PeerStats comes from the controller and werift). */
export type PeerCounters = Pick<PeerStats, 'bytesSent' | 'packetsSent' | 'nacks' | 'retransmits' | 'nackMissing' | 'nackThrottled' | 'plis' | 'firs'>;

/**
 * The peer's stats: its counters, the congestion controller's figures, and RTT/loss from the
 * receiver's reports (werift's remote-inbound-rtp) where the controller has none.
 */
export function peerStats(
  c: PeerCounters,
  cc: { bitrateBps: number; targetKbps: number; mode: NonNullable<PeerStats['ccMode']>; lossFraction: number; rttMs: number | undefined },
  pacerDelayMs: number,
  rtx: boolean,
  remote: readonly Record<string, unknown>[],
): PeerStats {
  const out: PeerStats = {
    ...c,
    pacerDelayMs,
    availableBitrateKbps: Math.round(cc.bitrateBps / 1000),
    targetBitrateKbps: cc.targetKbps,
    ccMode: cc.mode,
    rtx,
    lossFraction: cc.lossFraction,
  };
  if (cc.rttMs !== undefined) out.rttMs = cc.rttMs;
  for (const r of remote) {
    if (r['type'] !== 'remote-inbound-rtp') continue;
    if (out.rttMs === undefined && typeof r['roundTripTime'] === 'number') out.rttMs = r['roundTripTime'] * 1000;
    if (typeof r['fractionLost'] === 'number') out.lossFraction = r['fractionLost'];
  }
  return out;
}
