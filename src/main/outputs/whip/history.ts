// Retransmission history for NACK (RFC 4585 §6.2.1 Generic NACK; RFC 4588 §1 notes plain
// retransmission in the original stream). werift keeps only 128 packets; this ring keeps at least
// `minMs` of media at the configured bitrate, sized in packets, keyed by RTP sequence number.

export interface StoredPacket {
  seq: number;
  /** The packet as sent (opaque to the history). */
  packet: unknown;
  bytes: number;
}

/**
 * Ring size for `ms` of media at `kbps`, assuming `avgPayload`-byte packets, doubled for slack
 * (audio and small frames make packets smaller than average), rounded up to a power of two.
 */
export function historySize(kbps: number, ms: number, avgPayload = 1000): number {
  const packets = Math.ceil(((kbps * 1000) / 8) * (ms / 1000) / avgPayload);
  const wanted = Math.max(512, Math.min(32768, packets * 2));
  // A power of two divides 2^16, so `seq % capacity` stays consistent across sequence wrap.
  return 2 ** Math.ceil(Math.log2(wanted));
}

export class PacketHistory<P> {
  private readonly ring: ({ seq: number; packet: P } | undefined)[];
  private last: number | undefined;

  constructor(readonly capacity: number) {
    this.ring = new Array<{ seq: number; packet: P } | undefined>(capacity);
  }

  put(seq: number, packet: P): void {
    this.ring[seq % this.capacity] = { seq, packet };
    this.last = seq;
  }

  get(seq: number): P | undefined {
    const hit = this.ring[seq % this.capacity];
    return hit && hit.seq === seq ? hit.packet : undefined;
  }

  /** Distance (mod 2^16) from `seq` back to the newest stored sequence number. */
  age(seq: number): number | undefined {
    if (this.last === undefined) return undefined;
    return (this.last - seq + 0x10000) & 0xffff;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.last = undefined;
  }
}

/** One sent video packet as kept for retransmission (what an RTX packet or a resend needs). */
export interface SentPacket {
  seq: number;
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
  /** When it first left, and when it (or its last retransmission) left, ms. */
  sentMs: number;
  lastSentMs: number;
  resends: number;
  /** Copies of its retransmission still waiting in the pacer (absent: none). */
  pending?: number;
}

export interface NackAnswer {
  /** Packets to send again, in the order asked. */
  packets: SentPacket[];
  /** Asked for but not held (never sent, or older than the history). */
  missing: number;
  /** Held but retransmitted less than `minIntervalMs` ago, or its repair still waits to leave: the repair is still on its way. */
  throttled: number;
}

/**
 * The NACK side of the history (RFC 4585 §6.2.1): which packets to send again for one Generic
 * NACK. A packet already retransmitted is sent again only after `minIntervalMs` (one RTT, as
 * libwebrtc's RtpPacketHistory does), so a receiver that repeats its NACK before the repair could
 * arrive does not get duplicates. Nor while a copy of its repair still waits in the pacer
 * (`pending`; libwebrtc marks such a packet pending and ignores NACKs for it): on a congested link
 * the receiver NACKs every RTT while our repairs queue, and each NACK added another copy of the
 * same packets to the queue — 2.8 MB of retransmissions, 7 s, with no new video getting out. The
 * interval counts from when the repair left (`sent`). A packet older than `maxAgeMs` is not sent (the receiver's
 * jitter buffer has given it up; RFC 4588 §1: retransmission is useful only within the delay
 * budget).
 */
export class RetransmissionBuffer {
  private readonly ring: PacketHistory<SentPacket>;

  constructor(capacity: number, private readonly maxAgeMs: number) {
    this.ring = new PacketHistory<SentPacket>(capacity);
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  put(p: SentPacket): void {
    this.ring.put(p.seq, p);
  }

  take(seqs: readonly number[], nowMs: number, minIntervalMs: number): NackAnswer {
    const out: NackAnswer = { packets: [], missing: 0, throttled: 0 };
    const seen = new Set<number>();
    for (const s of seqs) {
      const seq = s & 0xffff;
      if (seen.has(seq)) continue;
      seen.add(seq);
      const p = this.ring.get(seq);
      if (!p || nowMs - p.sentMs > this.maxAgeMs) {
        out.missing++;
        continue;
      }
      if ((p.pending ?? 0) > 0 || (p.resends > 0 && nowMs - p.lastSentMs < minIntervalMs)) {
        out.throttled++;
        continue;
      }
      p.lastSentMs = nowMs;
      p.resends++;
      out.packets.push(p);
    }
    return out;
  }

  /** `copies` copies of p's repair were queued in the pacer. */
  queued(p: SentPacket, copies: number): void {
    p.pending = (p.pending ?? 0) + copies;
  }

  /** One copy of p's repair left (or was dropped from the pacer: `left` false). */
  sent(p: SentPacket, nowMs: number, left = true): void {
    p.pending = Math.max(0, (p.pending ?? 0) - 1);
    if (left) p.lastSentMs = nowMs;
  }

  clear(): void {
    this.ring.clear();
  }
}
