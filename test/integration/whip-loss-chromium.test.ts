// WHIP through loss, into Chromium (issue 13 "Checks"): a 1280x720 2.5 Mbit/s strip clip from our
// WhipOutput through the test's UDP relay at 5 % loss each way (seeded) and RTT 150 ms, to Chromium
// in a namespace of the test's own. Chromium must decode ≥ 90 % of the frames sent (each frame's
// number read from the decoded picture) with freezes (inbound-rtp freezeCount /
// totalFreezesDuration) under 1 s in total per minute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromiumInNetns, type LaunchedNetnsChromium } from '../peers/chromium';
import { CLIP_720P, runWhipIntoChromium } from '../helpers/whip-chromium-run';
import { stripClip } from '../helpers/strip-clip';

const WINDOW_S = 30;
let chromium: LaunchedNetnsChromium | undefined;

beforeAll(async () => {
  await stripClip(CLIP_720P); // encoded once, cached in .cache/strip-clips
  chromium = await launchChromiumInNetns({});
});
afterAll(async () => {
  await chromium?.close();
});

describe('WHIP → Chromium through loss', () => {
  it('5 % loss, RTT 150 ms: ≥ 90 % of frames decoded, freezes under 1 s per minute', async () => {
    const r = await runWhipIntoChromium({ chromium: chromium!, impairment: { rttMs: 150, lossRate: 0.05 }, seconds: WINDOW_S, settleMs: 2000 });
    const c = r.chromium;
    const freezeSPerMin = ((c.totalFreezesDuration ?? 0) * 60) / WINDOW_S;
    console.log(
      'loss-5-rtt-150',
      JSON.stringify({
        framesSent: r.framesSent, framesShown: r.framesShown, shownPct: +((100 * r.framesShown) / r.framesSent).toFixed(1), latencyMs: r.latencyMs,
        freezes: c.freezeCount, freezeS: c.totalFreezesDuration, freezeSPerMin: +freezeSPerMin.toFixed(2), framesDecoded: c.framesDecoded, framesDropped: c.framesDropped,
        nacks: c.nackCount, plis: c.pliCount, rtxReceived: c.retransmittedPacketsReceived, packetsLost: c.packetsLost,
        jitterBufferMs: c.jitterBufferEmittedCount ? Math.round(((c.jitterBufferDelay ?? 0) / c.jitterBufferEmittedCount) * 1000) : undefined,
        jitterBufferTargetMs: c.jitterBufferEmittedCount ? Math.round(((c.jitterBufferTargetDelay ?? 0) / c.jitterBufferEmittedCount) * 1000) : undefined,
        gaps: r.gaps, relay: r.relay, publisher: { kbps: Math.round(r.output.bitrateKbps), target: r.output.targetBitrateKbps, loss: r.output.lossFraction, rttMs: r.output.rttMs, retransmitRate: r.output.retransmitRate, dropped: r.output.framesDropped, lastResorts: r.output.lastResorts },
      }),
    );
    expect(r.relay.upDropped / (r.relay.up + r.relay.upDropped)).toBeGreaterThan(0.03); // the loss was there
    expect(r.framesShown / r.framesSent).toBeGreaterThanOrEqual(0.9);
    expect(freezeSPerMin).toBeLessThan(1);
  });
});
