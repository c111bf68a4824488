// A leaky-bucket pacer for outgoing RTP (the idea of libwebrtc's PacedSender; RFC 8083 §4.1
// asks senders not to burst beyond what the path takes). werift has none, so a 60 kB keyframe
// would leave in one burst of ~50 packets: here it leaves at `rateKbps` (the pacing rate,
// a multiple of the media bitrate). Order as libwebrtc's pacer: audio first, then retransmissions
// (a receiver is waiting for them), then new video. Pure apart from the injected clock and timer.

/** The most budget a backlog may claim for time the pacer did not run, ms of the rate. */
const MAX_OWED_MS = 250;

export interface PacerOptions<P> {
  /** Pacing rate, kbit/s. */
  rateKbps: number;
  send: (packet: P) => void;
  /** Budget the pacer may bank while idle, ms of the rate (default 5). */
  burstMs?: number;
  now?: () => number;
}

interface Item<P> {
  packet: P;
  bytes: number;
}

export class Pacer<P> {
  private readonly audio: Item<P>[] = [];
  private readonly rtx: Item<P>[] = [];
  private readonly video: Item<P>[] = [];
  private bytesPerMs: number;
  private readonly burstMs: number;
  private readonly now: () => number;
  private readonly send: (packet: P) => void;
  private budget: number;
  private last: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Packets were left waiting at the last drain. */
  private waiting = false;
  queuedBytes = 0;

  constructor(opts: PacerOptions<P>) {
    this.bytesPerMs = opts.rateKbps / 8;
    this.burstMs = opts.burstMs ?? 5;
    this.now = opts.now ?? (() => performance.now());
    this.send = opts.send;
    this.budget = this.bytesPerMs * this.burstMs;
    this.last = this.now();
  }

  setRate(kbps: number): void {
    this.bytesPerMs = Math.max(1, kbps / 8);
  }

  /** Queue packets of one frame (or one audio packet, or retransmissions) and send what the budget allows now. */
  push(kind: 'audio' | 'rtx' | 'video', items: readonly Item<P>[]): void {
    if (this.closed) return;
    (kind === 'audio' ? this.audio : kind === 'rtx' ? this.rtx : this.video).push(...items);
    for (const it of items) this.queuedBytes += it.bytes;
    this.drain();
  }

  /** Drop every new video packet still queued (audio and retransmissions stay); returns how many. */
  dropVideo(): number {
    const n = this.video.length;
    for (const v of this.video.splice(0)) this.queuedBytes -= v.bytes;
    return n;
  }

  /** Drop every retransmission still queued; returns them. */
  dropRtx(): P[] {
    const out = this.rtx.splice(0);
    for (const r of out) this.queuedBytes -= r.bytes;
    return out.map((r) => r.packet);
  }

  /** Queued media duration at the pacing rate, ms. */
  get delayMs(): number {
    return this.queuedBytes / this.bytesPerMs;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.audio.length = 0;
    this.rtx.length = 0;
    this.video.length = 0;
    this.queuedBytes = 0;
  }

  private drain(): void {
    if (this.closed) return;
    const t = this.now();
    const dt = Math.max(0, t - this.last);
    // Idle time banks at most burstMs of budget. Time with packets waiting is owed to them in full
    // (up to MAX_OWED_MS): a timer that fires late on a busy event loop must not lower the rate —
    // with the cap alone, a 100 ms late timer let through 20 ms worth, and the queue grew without end.
    const capMs = this.waiting ? Math.max(this.burstMs, Math.min(dt, MAX_OWED_MS)) : this.burstMs;
    this.budget = Math.min(this.bytesPerMs * capMs, this.budget + dt * this.bytesPerMs);
    this.last = t;
    // Audio is small and latency-critical: it never waits for budget (but spends it).
    for (let a = this.audio.shift(); a; a = this.audio.shift()) this.emit(a);
    while (this.budget > 0) {
      const v = this.rtx.shift() ?? this.video.shift();
      if (!v) break;
      this.emit(v);
    }
    this.waiting = this.rtx.length + this.video.length > 0;
    if (this.waiting && !this.timer) {
      const wait = Math.max(1, Math.ceil(-this.budget / this.bytesPerMs));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, wait);
    }
  }

  private emit(item: Item<P>): void {
    this.budget -= item.bytes;
    this.queuedBytes -= item.bytes;
    this.send(item.packet);
  }
}
