// Presentation-time scheduling (PROTOCOLS.md, werift #701): werift's Sender Reports pair the NTP
// time of the *last packet sent* with its RTP timestamp (RFC 3550 §6.4.1), so each frame must
// leave at its presentation time on one clock shared by both tracks, or receivers mis-sync A/V.
// Tracks reach us with different latencies (encoder, muxer buffering), so the pts → wall-clock
// offset is the LARGEST observed lag (arrival − pts) over the tracks: the faster track waits for
// the slower. The lag estimate jumps up at once and decays slowly; no packet is held longer than
// `maxHoldUs` past its arrival (liveness beats sync when the tracks are too far apart). Pure.
import type { EncodedPacket, TrackKind } from '../../protocol/media';

interface Held {
  packet: EncodedPacket;
  arrivalUs: number;
}

export class PresentationScheduler {
  private readonly lag = new Map<TrackKind, number>();
  private held: Held[] = [];

  constructor(
    private readonly maxHoldUs = 1_000_000,
    /** Fraction of the gap to a lower lag sample adopted per packet (slow decay). */
    private readonly decay = 0.02,
  ) {}

  /** Hold a packet that arrived at `nowUs` (any monotonic µs clock). */
  push(packet: EncodedPacket, nowUs: number): void {
    const sample = nowUs - packet.pts;
    const prev = this.lag.get(packet.track);
    // A jump of more than 5 s is a clock change, not latency: start over.
    const lag = prev === undefined || sample > prev || Math.abs(sample - prev) > 5_000_000 ? sample : prev - (prev - sample) * this.decay;
    this.lag.set(packet.track, lag);
    this.held.push({ packet, arrivalUs: nowUs });
  }

  /** Due time with the current offset: a slower track showing up re-times what is held. */
  private due(h: Held): number {
    return Math.min(h.packet.pts + Math.max(...this.lag.values()), h.arrivalUs + this.maxHoldUs);
  }

  /** Packets due by `nowUs`, in arrival order. */
  takeDue(nowUs: number): EncodedPacket[] {
    if (this.held.length === 0) return [];
    const due: EncodedPacket[] = [];
    const keep: Held[] = [];
    for (const h of this.held) {
      if (this.due(h) <= nowUs) due.push(h.packet);
      else keep.push(h);
    }
    this.held = keep;
    return due;
  }

  /** µs until the next packet is due, or undefined when nothing is held. */
  nextDueIn(nowUs: number): number | undefined {
    let min: number | undefined;
    for (const h of this.held) {
      const d = this.due(h);
      if (min === undefined || d < min) min = d;
    }
    return min === undefined ? undefined : Math.max(0, min - nowUs);
  }

  /** The current sync delay (largest track lag minus the smallest), µs. */
  get skewUs(): number {
    const v = [...this.lag.values()];
    return v.length < 2 ? 0 : Math.max(...v) - Math.min(...v);
  }

  get length(): number {
    return this.held.length;
  }

  clear(): void {
    this.held = [];
    this.lag.clear();
  }
}
