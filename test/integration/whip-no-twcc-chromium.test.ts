// A receiver that offers no transport-wide CC (issue 13 "Deliver" 1): Chromium gets our offer
// without the transport-cc extmap and rtcp-fb lines (withoutTransportCc), so it answers without
// them and gives only receiver reports and REMB (abs-send-time). On a link capped at 3 Mbit/s
// (tbf on its namespace's root-side veth) a 6 Mbit/s stream must still be steered: the output says
// it runs on receiver reports, its estimate and target settle below the cap, and what it sends
// follows (ladder-clip.ts: the encode switches rungs at keyframes), so Chromium still decodes
// ≥ 90 % of the frames sent, and the session stays live throughout (no reconnect).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromiumInNetns, type LaunchedNetnsChromium } from '../peers/chromium';
import { setCap } from '../peers/shaped';
import { withoutTransportCc } from '../helpers/chromium-receiver';
import { LadderPlayer, loadLadder, type Ladder } from '../helpers/ladder-clip';
import { runWhipIntoChromium } from '../helpers/whip-chromium-run';

const CAP_MBIT = 3;
const STREAM_KBPS = 6000;
const WINDOW_S = 20;
const LADDER = [6000, 4000, 3000, 2500, 2000, 1500, 1000];

let ladder: Ladder | undefined;
let chromium: LaunchedNetnsChromium | undefined;

beforeAll(async () => {
  ladder = await loadLadder({ width: 1280, height: 720, fps: 30, seconds: 20, gop: 60 }, LADDER); // encoded once, cached
  chromium = await launchChromiumInNetns({});
}, 600_000);
afterAll(async () => {
  if (chromium) setCap(chromium.netns.hostIf, undefined);
  await chromium?.close();
});

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

describe('WHIP → Chromium without transport-cc', () => {
  it(`receiver reports and REMB steer ${STREAM_KBPS} kbit/s below a ${CAP_MBIT} Mbit/s cap`, { timeout: 90_000 }, async () => {
    const player = new LadderPlayer(ladder!);
    setCap(chromium!.netns.hostIf, CAP_MBIT);
    try {
      const r = await runWhipIntoChromium({
        chromium: chromium!,
        impairment: { rttMs: 0, lossRate: 0 },
        seconds: WINDOW_S,
        settleMs: 10_000,
        output: { videoBitrateKbps: STREAM_KBPS, maxKbps: STREAM_KBPS },
        receiver: { mungeOffer: withoutTransportCc },
        source: player.whipSource(),
      });
      const est = median(r.samples.map((s) => s.stats.availableBitrateKbps ?? NaN));
      const target = median(r.samples.map((s) => s.stats.targetBitrateKbps ?? NaN));
      const sent = median(r.samples.map((s) => s.stats.bitrateKbps));
      const modes = [...new Set(r.samples.map((s) => s.stats.ccMode))];
      console.log(
        'no-twcc',
        JSON.stringify({
          answerHasTwcc: /transport-wide-cc/.test(r.answer), modes, estimateKbps: est, targetKbps: target, sentKbps: Math.round(sent),
          framesSent: r.framesSent, framesShown: r.framesShown, latencyMs: r.latencyMs, lastResorts: r.output.lastResorts, dropped: r.output.framesDropped,
          states: [...new Set(r.samples.map((x) => x.stats.state))], undefinedModeAt: r.samples.filter((x) => x.stats.ccMode === undefined).map((x) => x.t),
          reconnects: r.output.reconnects, samplesMs: r.samples.filter((_, i) => i % 4 === 0).map((x) => [Math.round(x.t), x.stats.availableBitrateKbps, Math.round(x.stats.bitrateKbps), Math.round(x.stats.backlogMs ?? -1)]),
          framesPerRung: Object.fromEntries(ladder!.kbps.map((k, i) => [k, player.framesPerRung[i]])),
        }),
      );
      expect(/transport-wide-cc/.test(r.answer)).toBe(false);
      expect(modes).toEqual(['receiver-reports']);
      expect(est).toBeLessThan(CAP_MBIT * 1000);
      expect(target).toBeLessThan(CAP_MBIT * 1000);
      expect(sent).toBeLessThan(CAP_MBIT * 1000);
      expect(r.framesShown / r.framesSent).toBeGreaterThanOrEqual(0.9);
      // The session never dropped: no recovery (counted once done) and none under way at a sample.
      expect(r.output.reconnects).toBe(0);
      expect(new Set(r.samples.map((x) => x.stats.state))).toEqual(new Set(['live']));
    } finally {
      setCap(chromium!.netns.hostIf, undefined);
      player.stop();
    }
  });
});
