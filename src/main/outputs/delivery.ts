// One delivery-delay figure for every protocol (docs/ARCHITECTURE.md "Delivery delay"): the time
// from a packet reaching the output (the encoder just produced it) to the server confirming it
// received its bytes — whatever queued it in between: our send queue, the pacer, the socket's own
// buffer (TCP's hidden queue), the network. RTMP confirms with Acknowledgements (cumulative byte
// counts, RTMP spec 1.0 §5.4.3), WHIP with transport-wide CC feedback (per packet). Pure.

export interface DeliveryStats {
  p50: number;
  p95: number;
  /** Samples in the window. */
  samples: number;
}

interface Mark {
  at: number;
  /** When the packet reached the output, ms. */
  queuedMs: number;
}

const MAX_MARKS = 8192;
const WINDOW_MS = 10_000;

export class DeliveryTracker {
  /** Cumulative marks (RTMP byte offsets), in send order. */
  private marks: Mark[] = [];
  private head = 0;
  /** Individual marks (WHIP transport-wide sequence numbers, 16-bit). */
  private readonly bySeq = new Map<number, number>();
  private readonly samples: { t: number; ms: number }[] = [];
  private lastCumulative = 0;

  /** RTMP: the bytes up to `offset` (the stream's unwrapped byte count) carry a packet queued at `queuedMs`. */
  sentUpTo(offset: number, queuedMs: number): void {
    this.marks.push({ at: offset, queuedMs });
    if (this.marks.length - this.head > MAX_MARKS) this.head = this.marks.length - MAX_MARKS;
    this.compact();
  }

  /** RTMP: the server acknowledged `seq` bytes (32-bit, wrapping: RTMP spec 1.0 §5.4.3). */
  ackedUpTo(seq32: number, nowMs: number): void {
    // Unwrap against the last cumulative count: a smaller value after a large one is a wrap.
    let total = this.lastCumulative - (this.lastCumulative % 2 ** 32) + (seq32 >>> 0);
    if (total < this.lastCumulative) total += 2 ** 32;
    this.lastCumulative = total;
    let newest: Mark | undefined;
    while (this.head < this.marks.length && this.marks[this.head]!.at <= total) newest = this.marks[this.head++];
    if (newest) this.sample(nowMs - newest.queuedMs, nowMs);
    this.compact();
  }

  /** WHIP: packet `seq` (transport-wide, 16-bit) left; its media reached the output at `queuedMs`. */
  sentSeq(seq: number, queuedMs: number): void {
    this.bySeq.set(seq & 0xffff, queuedMs);
    if (this.bySeq.size > MAX_MARKS) {
      const first = this.bySeq.keys().next().value;
      if (first !== undefined) this.bySeq.delete(first);
    }
  }

  /** WHIP: feedback says these packets arrived (the newest of them gives the sample). */
  ackedSeqs(seqs: readonly number[], nowMs: number): void {
    let newest: number | undefined;
    for (const s of seqs) {
      const q = this.bySeq.get(s & 0xffff);
      if (q === undefined) continue;
      this.bySeq.delete(s & 0xffff);
      newest = newest === undefined ? q : Math.max(newest, q);
    }
    if (newest !== undefined) this.sample(nowMs - newest, nowMs);
  }

  stats(nowMs: number): DeliveryStats | undefined {
    while (this.samples.length && nowMs - this.samples[0]!.t > WINDOW_MS) this.samples.shift();
    if (this.samples.length === 0) return undefined;
    const xs = this.samples.map((s) => s.ms).sort((a, b) => a - b);
    // Nearest rank: the smallest sample with at least q of the samples at or below it.
    const at = (q: number): number => Math.round(xs[Math.max(0, Math.ceil(q * xs.length) - 1)]!);
    return { p50: at(0.5), p95: at(0.95), samples: xs.length };
  }

  /** The newest confirmed byte count (RTMP). */
  get acked(): number {
    return this.lastCumulative;
  }

  private sample(ms: number, t: number): void {
    if (!(ms >= 0) || ms > 120_000) return;
    this.samples.push({ t, ms });
    if (this.samples.length > 4096) this.samples.shift();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.marks.length) {
      this.marks = this.marks.slice(this.head);
      this.head = 0;
    }
  }
}
