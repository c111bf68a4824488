// The bandwidth estimator's API types (./estimator.ts): plain data, so the WHIP peer can wire it to
// werift's RTCP and hand the target to the encoder and pacer (docs/ARCHITECTURE.md).

export type BweMode = 'transport-cc' | 'receiver-reports';

/** What limits or last moved the target (for stats and logs). */
export type BweReason =
  | 'start' // no feedback yet: the start bitrate
  | 'max' // at the destination's maximum
  | 'remb' // held at the receiver's REMB
  | 'feedback-timeout' // no feedback for ≥ 4.5 s while sending: ×0.8 per second
  | 'loss-high' // loss > 10 %: As = As · (1 − loss / 2)
  | 'loss-moderate' // loss 2-10 %: holding
  | 'ramp-up' // As climbing back at 8 %/s after a cut or cap
  | 'delay-overuse' // the trendline says a queue builds: Ad = 0.85 × receive rate
  | 'delay-burst' // over-use from a burst that drains by itself: holding
  | 'delay-underuse' // queues draining: holding
  | 'delay-normal' // increasing (multiplicative far from capacity, additive near it)
  | 'throughput-limit' // increase held at 1.5 × the acked rate + 10 kbit/s (sender-limited)
  | 'rtt-overuse' // receiver-report mode: RTT says a queue builds
  | 'rtt-hold' // receiver-report mode: queue draining
  | 'rtt-normal'; // receiver-report mode: increasing

export interface BweOptions {
  /** Bounds for this destination, bit/s (e.g. 300 kbit/s and the configured bitrate). */
  minBps: number;
  maxBps: number;
  startBps: number;
  /** Whether transport-wide CC was negotiated (extmap transport-wide-cc-01 + rtcp-fb transport-cc). */
  transportCc: boolean;
  /** Pacing rate ÷ target (libwebrtc's pacing factor, 2.5). */
  pacingFactor?: number;
  /** In receiver-report mode, the SSRC whose blocks give the loss (e.g. video); default any. */
  lossSsrc?: number;
  /** Send history: entries (default 16384) and how long a packet waits for feedback (5000 ms). */
  historyCapacity?: number;
  historyMs?: number;
}

export interface BweTarget {
  bitrateBps: number;
  /** Direction of the last change of bitrateBps. */
  state: 'increase' | 'hold' | 'decrease';
  /** What limits or moved the target. */
  reason: BweReason;
  mode: BweMode;
  /** Ad, the delay-based (or RTT-based) rate. */
  delayBased: number;
  /** As, the loss-based rate. */
  lossBased: number;
  /** Acknowledged (receive) rate, bit/s, when known. */
  acked: number | undefined;
  /** One-way queueing delay of the newest acked packet (above the 10 s minimum), ms. */
  queueDelayMs: number | undefined;
  rttMs: number | undefined;
  /** Last loss report, 0..1. */
  lossFraction: number;
  rembBps: number | undefined;
  pacingRateBps: number;
}

export interface BweStats {
  historyEntries: number;
  srLogEntries: number;
  rttSamples: number;
  feedbacks: number;
  /** Inputs dropped as invalid (non-finite numbers, duplicates, unknown sequence numbers). */
  ignored: number;
  interArrivalResets: number;
}
