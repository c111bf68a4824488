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
