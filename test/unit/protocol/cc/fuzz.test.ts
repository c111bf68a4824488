// ≥100k malformed TWCC/REMB/RR packets (mutations of valid ones from the link simulator, splices,
// random bytes; seeded) through the parsers and into estimators in both modes, interleaved with
// hostile sends (reordered, duplicated, wrapped, jumping sequence numbers, clocks going back and
// leaping ahead, NaN): only typed ProtocolErrors, bounded history, target always in [min, max].
import { describe, expect, it } from 'vitest';
import { SendSideBandwidthEstimator, type BweOptions } from '../../../../src/main/protocol/cc/estimator';
import { parseReceptionReport, parseRemb, parseRtcpFeedback } from '../../../../src/main/protocol/cc/rtcp';
import { parseTransportFeedback } from '../../../../src/main/protocol/cc/twcc';
import { ProtocolError } from '../../../../src/shared/errors';
import { runLinkSim } from '../../../helpers/link-sim';
import { prng } from '../../../helpers/prng';
import { concat, writeRemb, writeRr, writeSr, writeTwcc } from '../../../helpers/rtcp-writer';

const PACKETS = 100_000;
const OPTS: BweOptions = { minBps: 300_000, maxBps: 8_000_000, startBps: 2_000_000, transportCc: true, historyCapacity: 4096 };

function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const sim = runLinkSim({ seed: 5, durationMs: 3000, capacityBps: 2e6, jitterMs: 3, rembBps: () => 1.5e6, record: true, estimator: OPTS });
  for (const e of sim.events) if (e[0] === 'r') out.push(new Uint8Array(Buffer.from(e[2], 'hex')));
  const block = { ssrc: 1, fractionLost: 30, cumulativeLost: -2, highestSeq: 70_000, jitter: 12, lsr: 0x1234_5678, dlsr: 99 };
  out.push(
    writeRr([block, { ...block, ssrc: 2 }]),
    writeSr({ senderSsrc: 9, ntpSeconds: 1, ntpFraction: 2, blocks: [block] }),
    writeRemb(123_456_789, [1, 2, 3]),
    writeTwcc({ baseSeq: 65_530, feedbackCount: 9, arrivalsUs: [0, 8_000_000, null, 1_000_000, 1, null, null, 5], chunks: 'vector2' }),
    writeTwcc({ baseSeq: 1, feedbackCount: 0, arrivalsUs: new Array(9000).fill(null).map((_, i) => (i % 3 ? null : i * 250)) }),
  );
  return out;
}

function mutate(rand: () => number, input: Uint8Array, pool: Uint8Array[]): Uint8Array {
  const b = Array.from(input);
  const n = 1 + ((rand() * 6) | 0);
  for (let i = 0; i < n; i++) {
    const at = (rand() * (b.length + 1)) | 0;
    switch ((rand() * 9) | 0) {
      case 0: b[at] = (rand() * 256) | 0; break;
      case 1: b[at] = (b[at] ?? 0) ^ (1 << ((rand() * 8) | 0)); break;
      case 2: b.splice(at, 1 + ((rand() * 8) | 0)); break;
      case 3: b.splice(at, 0, ...Array.from({ length: 1 + ((rand() * 8) | 0) }, () => (rand() * 256) | 0)); break;
      case 4: b.length = Math.min(b.length, at); break;
      case 5: b[2] = (rand() * 256) | 0; b[3] = (rand() * 256) | 0; break; // RTCP length
      case 6: b[14] = (rand() * 256) | 0; b[15] = (rand() * 256) | 0; break; // TWCC status count
      case 7: b[0] = (b[0] ?? 0x80) ^ ((rand() * 32) | 0); break; // count / FMT / P
      default: b.push(...(pool[(rand() * pool.length) | 0] ?? []).slice(0, 64)); // a splice of another packet
    }
  }
  return new Uint8Array(b);
}

// Plain checks in the loop (vitest's expect costs more than the parsing); expect.fail on a violation.
function expectTyped(e: unknown): void {
  if (!(e instanceof ProtocolError) || e.code !== 'protocol-violation') expect.fail(`not a typed ProtocolError: ${String(e)}`);
}

function checkTarget(e: SendSideBandwidthEstimator, opts: BweOptions): void {
  const t = e.target();
  if (!(t.bitrateBps >= opts.minBps && t.bitrateBps <= opts.maxBps && Number.isFinite(t.pacingRateBps))) {
    expect.fail(`target ${t.bitrateBps} (${t.reason}) outside [${opts.minBps}, ${opts.maxBps}]`);
  }
}

describe('cc fuzz', () => {
  it(`${PACKETS} malformed feedback packets: typed errors only, bounded state, target in [min, max]`, () => {
    // Stack traces are most of the cost of ~300k thrown errors and nothing here reads them.
    const stackLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      fuzz();
    } finally {
      Error.stackTraceLimit = stackLimit;
    }
  }, 60_000);
});

function fuzz(): void {
  {
    const rand = prng(0xcc13);
    const pool = corpus();
    const twccMode = new SendSideBandwidthEstimator(OPTS);
    const rrMode = new SendSideBandwidthEstimator({ ...OPTS, transportCc: false, lossSsrc: 1 });
    const estimators = [twccMode, rrMode];
    let now = 0;
    let seq = 65_000;
    let parsed = 0;
    let errors = 0;
    for (let i = 0; i < PACKETS; i++) {
      // Time: mostly forward, sometimes backwards or hours ahead, rarely NaN.
      const r = rand();
      now = r < 0.9 ? now + rand() * 20 : r < 0.95 ? now - rand() * 5000 : r < 0.99 ? now + rand() * 3_600_000 : Number.NaN;
      if (!Number.isFinite(now)) now = 0;
      // Sends: in order, reordered, duplicated, wrapped or random numbers, odd sizes.
      for (let k = (rand() * 4) | 0; k > 0; k--) {
        const q = rand();
        const s = q < 0.8 ? seq++ : q < 0.9 ? seq - ((rand() * 50) | 0) : q < 0.95 ? seq : (rand() * 70_000) | 0;
        const bytes = rand() < 0.98 ? 100 + ((rand() * 1100) | 0) : [0, -1, 70_000, Number.NaN][(rand() * 4) | 0]!;
        for (const e of estimators) e.onPacketSent(s & 0xffff, rand() < 0.99 ? now : Number.NaN, bytes);
      }
      if (rand() < 0.05) for (const e of estimators) e.onSenderReportSent((rand() * 2 ** 32) >>> 0, now);
      if (rand() < 0.01) for (const e of estimators) e.onRemb([Number.NaN, -5, 0, 1e18, Number.POSITIVE_INFINITY, rand() * 1e7][(rand() * 6) | 0]!, now);

      const pick = rand();
      const src = pool[(rand() * pool.length) | 0]!;
      const bytes = pick < 0.8 ? mutate(rand, src, pool) : pick < 0.9 ? concat(src, mutate(rand, src, pool)) : new Uint8Array(Array.from({ length: (rand() * 120) | 0 }, () => (rand() * 256) | 0));
      const out = parseRtcpFeedback(bytes);
      for (const err of out.errors) expectTyped(err);
      errors += out.errors.length;
      parsed += out.feedback.length;
      for (const item of out.feedback) for (const e of estimators) e.onRtcp(item, now);
      // A quarter also through each single-packet parser, as the walk's dispatch would not reach them.
      if (i % 4 === 0) for (const single of [parseTransportFeedback, parseRemb, parseReceptionReport]) {
        try {
          single(bytes);
        } catch (e) {
          expectTyped(e);
        }
      }
      for (const e of estimators) checkTarget(e, e === rrMode ? { ...OPTS, transportCc: false } : OPTS);
      if (i % 10_000 === 0) {
        for (const e of estimators) {
          const st = e.stats();
          expect(st.historyEntries).toBeLessThanOrEqual(OPTS.historyCapacity!);
          expect(st.srLogEntries).toBeLessThanOrEqual(16);
          expect(st.rttSamples).toBeLessThanOrEqual(64);
        }
      }
    }
    // The mutations were not all rejected: a good share still parsed and reached the estimators.
    expect(parsed).toBeGreaterThan(PACKETS / 10);
    expect(errors).toBeGreaterThan(PACKETS / 10);
    expect(twccMode.stats().feedbacks).toBeGreaterThan(1000);
  }
}
