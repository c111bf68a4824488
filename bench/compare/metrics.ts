// Pure figures: percentiles, per-receiver latency summaries. Every number in the report is computed
// here from samples recorded in the run.
import type { Arrival } from './readers';

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export interface Dist {
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function dist(xs: readonly number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s.length ? s[s.length - 1]! : NaN, mean };
}

export interface LatencySeries {
  /** [capture time relative to window start (s), latency (ms)] per received frame. */
  points: [number, number][];
  framesSent: number;
  framesReceived: number;
}

/**
 * Frames captured in [fromUs, toUs): latency = first arrival − capture time. Frames that arrive
 * more than once (RTMP play reconnects) count once.
 */
export function latencySeries(captured: ReadonlyMap<number, number>, arrivals: readonly Arrival[], fromUs: number, toUs: number): LatencySeries {
  const first = new Map<number, number>();
  for (const a of arrivals) if (!first.has(a.seq)) first.set(a.seq, a.atUs);
  const points: [number, number][] = [];
  let sent = 0;
  for (const [seq, cap] of captured) {
    if (cap < fromUs || cap >= toUs) continue;
    sent++;
    const at = first.get(seq);
    if (at !== undefined) points.push([(cap - fromUs) / 1e6, (at - cap) / 1000]);
  }
  points.sort((a, b) => a[0] - b[0]);
  return { points, framesSent: sent, framesReceived: points.length };
}

/** Median latency of the points whose capture time falls in [a, b) seconds. */
export function medianIn(points: readonly [number, number][], a: number, b: number): number {
  return quantile(points.filter(([t]) => t >= a && t < b).map(([, l]) => l).sort((x, y) => x - y), 0.5);
}

export const round = (x: number, d = 1): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : NaN);
