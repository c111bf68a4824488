// Loss repair policy for the WHIP publisher (docs/ARCHITECTURE.md "WHIP loss repair"). Pure: the
// peer feeds it what it sees and asks it two things.
//
// 1. How many copies of each retransmission to send. A repair (RFC 4588 RTX) crosses the same lossy
//    path as the original: at loss p one repair in 1/p is lost, and the frame then waits for the
//    receiver to NACK again and another round trip (at 5 % loss and RTT 150 ms: ~0.75 such frames a
//    second at 2.5 Mbit/s, each a visible freeze). Sending n copies makes that p^n: n is the
//    smallest with p^n ≤ 0.1 % (1 copy below 0.1 % loss, 2 up to ~3 %, 3 above), at a cost of
//    (n − 1) × p of the bitrate — far less than FEC's fixed overhead for the same residual loss.
//
// 2. The playout delay to ask of the receiver (the RTP header extension
//    http://www.webrtc.org/experiments/rtp-hdrext/playout-delay: 12-bit minimum and maximum, 10 ms
//    units). A receive-only libwebrtc (Chromium answering a WHIP offer) never learns the RTT: it
//    would need RTCP XR RRTR/DLRR (RFC 3611 §4.4-4.5), which it does not negotiate. So its jitter
//    buffer never waits for a retransmission (jitterBufferTargetDelay stayed at ~50 ms at 5 % loss,
//    RTT 150 ms) and every repaired frame is rendered late: a freeze. The sender does know how long
//    repairs take — a NACK for a packet arrives `age` after the packet left, and its repair reaches
//    the receiver about that much after the original would have — so it asks for a minimum delay
//    of the recent 95th percentile of `age` plus a margin (a lost NACK is repeated by the receiver
//    ~100 ms later). The minimum rises at once and falls by at most decayMsPerS when repairs get faster;
//    once fewer than minSamples repairs were asked for in the last windowMs (a loss burst that
//    ended: the start on a capped link, a congestion episode) it is 0 again, at once (libwebrtc
//    moves its current delay towards a new target by ≤ 100 ms/s, so no frame is skipped). Bounded
//    by maxMinDelayMs: beyond that, latency costs more than the freezes it saves. Maximum: 10 s
//    (libwebrtc's default), so the receiver's own jitter estimate still applies above the minimum.
//    With no repairs to wait for, the maximum is idleMaxDelayMs: libwebrtc's jitter estimate sizes
//    its buffer for the largest frame (a keyframe queued at a capped link: ~0.5 s of buffer at
//    3 Mbit/s with 70-100 KB keyframes), latency a live stream should not pay when nothing needs
//    repairing; a frame later than that is shown when it arrives.

/** The chance that every copy of a repair is lost that the copies are chosen for. */
export const RESIDUAL_REPAIR_LOSS = 0.001;
export const MAX_REPAIR_COPIES = 3;
export const PLAYOUT = {
  windowMs: 5000,
  minSamples: 5,
  marginMs: 50,
  maxMinDelayMs: 1000,
  maxDelayMs: 10_000,
  idleMaxDelayMs: 250,
  decayMsPerS: 50,
} as const;

/** Copies of each retransmission for path loss `loss` (0..1). */
export function repairCopies(loss: number): number {
  if (!(loss > RESIDUAL_REPAIR_LOSS)) return 1;
  if (loss >= 1) return MAX_REPAIR_COPIES;
  return Math.min(MAX_REPAIR_COPIES, Math.ceil(Math.log(RESIDUAL_REPAIR_LOSS) / Math.log(loss) - 1e-9));
}

/** The playout-delay extension's 3 bytes: MIN and MAX, 12 bits each, in 10 ms units (rounded up, clamped). */
export function playoutDelayPayload(minMs: number, maxMs: number): Uint8Array {
  const units = (ms: number): number => Math.min(0xfff, Math.max(0, Math.ceil((Number.isFinite(ms) ? ms : 0) / 10)));
  const min = units(minMs);
  const max = Math.max(min, units(maxMs));
  return Uint8Array.of(min >> 4, ((min & 0xf) << 4) | (max >> 8), max & 0xff);
}

export interface PlayoutDelay {
  minMs: number;
  maxMs: number;
}

export class RepairPolicy {
  private readonly ages: { at: number; ms: number }[] = [];
  private minMs = 0;
  private lastUpdate: number | undefined;
  /** A NACK asked for a packet that left `ageMs` ago (its first retransmission). */
  onRepair(ageMs: number, nowMs: number): void {
    if (!Number.isFinite(ageMs) || ageMs < 0 || !Number.isFinite(nowMs)) return;
    this.ages.push({ at: nowMs, ms: Math.min(ageMs, 10_000) });
    if (this.ages.length > 500) this.ages.splice(0, this.ages.length - 500);
    this.update(nowMs);
  }

  /** The delay to ask for now. */
  playoutDelay(nowMs: number): PlayoutDelay {
    this.update(nowMs);
    return { minMs: this.minMs, maxMs: this.minMs > 0 ? PLAYOUT.maxDelayMs : PLAYOUT.idleMaxDelayMs };
  }

  private update(nowMs: number): void {
    const from = nowMs - PLAYOUT.windowMs;
    while (this.ages.length > 0 && this.ages[0]!.at < from) this.ages.shift();
    let want = 0;
    if (this.ages.length >= PLAYOUT.minSamples) {
      const sorted = this.ages.map((a) => a.ms).sort((a, b) => a - b);
      const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
      want = Math.min(PLAYOUT.maxMinDelayMs, p95 + PLAYOUT.marginMs);
    }
    const dt = this.lastUpdate === undefined ? 0 : Math.max(0, Math.min(10_000, nowMs - this.lastUpdate));
    this.lastUpdate = Math.max(this.lastUpdate ?? nowMs, nowMs);
    if (want >= this.minMs || want === 0) this.minMs = want;
    else this.minMs = Math.max(want, this.minMs - (PLAYOUT.decayMsPerS * dt) / 1000);
  }
}
