// RTMP delivery delay against a real nginx-rtmp behind a capped link (issue 13, docs/ARCHITECTURE.md
// "Delivery delay"): nginx runs in a namespace of ours, reached over a veth pair whose root side
// gets a tbf cap. Uncapped, the Acknowledgements come back within a few tens of ms; capped below
// the stream's rate, TCP's send buffer and our queue fill, and the figure must rise with the
// backlog, and B (from the acknowledged rate while backlogged) must come close to the cap.
import { afterEach, describe, expect, it } from 'vitest';
import { RtmpOutput } from '../../src/main/outputs/rtmp/rtmp-output';
import type { OutputStats } from '../../src/shared/stats';
import { qdiscCounters, setCap, startNsNginx, type NsNginx } from '../peers/shaped';
import { startTestSource } from './rtmp-source';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('RTMP delivery delay against nginx-rtmp behind a capped link', () => {
  it('rises with the backlog when the link is capped below the stream, and B follows the cap', async () => {
    const ng: NsNginx = await startNsNginx();
    cleanups.push(() => ng.stop());
    const src = startTestSource({ seconds: 24, width: 640, height: 360, noise: true, videoKbps: 2500 });
    cleanups.push(() => src.stop());
    const configs = await src.configs;
    const out = new RtmpOutput({ id: 'capped', url: `rtmp://${ng.host}:${ng.port}/live`, streamKey: 'delivery', videoBitrateKbps: 2500, audioBitrateKbps: 128 });
    cleanups.push(() => out.stop());
    src.feed(out);
    await out.start(configs);

    // Uncapped: 6 s to settle.
    await sleep(6000);
    const free: OutputStats = out.stats();

    // Capped at 1.2 Mbit/s, about half the stream (2.5 Mbit/s video + 128 kbit/s audio).
    const capMbit = 1.2;
    setCap(ng.netns.hostIf, capMbit);
    const q0 = qdiscCounters(ng.netns.hostIf);
    const t0 = performance.now();
    const samples: OutputStats[] = [];
    for (let i = 0; i < 10; i++) {
      await sleep(1000);
      samples.push(out.stats());
    }
    const q1 = qdiscCounters(ng.netns.hostIf);
    const wireKbps = ((q1.bytes - q0.bytes) * 8) / (performance.now() - t0);
    const capped = samples[samples.length - 1]!;
    console.log(JSON.stringify({ free: pick(free), capped: samples.map(pick), wireKbps: Math.round(wireKbps) }));

    // Uncapped: nginx acknowledges (no 'no-acks' note) and delivery is quick.
    expect(free.deliveryNote).toBeUndefined();
    expect(free.deliveryMs).toBeDefined();
    expect(free.deliveryMs!.p50).toBeLessThan(250);
    expect(free.framesDropped).toBe(0);
    // Capped: what is on the wire is the cap, the delay rises well above the uncapped figure and
    // keeps rising with the backlog over the capped window.
    expect(wireKbps).toBeLessThan(capMbit * 1000 * 1.1);
    expect(capped.deliveryMs).toBeDefined();
    expect(capped.deliveryMs!.p95).toBeGreaterThan(free.deliveryMs!.p95 + 500);
    const early = samples[2]!;
    expect(early.deliveryMs).toBeDefined();
    expect(capped.deliveryMs!.p95).toBeGreaterThan(early.deliveryMs!.p95);
    const backlog = capped.backlogMs ?? 0;
    expect(backlog > 0 || (capped.socketBacklogBytes ?? 0) > 0 || capped.framesDropped > 0).toBe(true);
    // B from the acknowledged rate while backlogged: within 35 % of the cap, and U well above 1.
    const withB = samples.filter((s) => s.availableBitrateKbps !== undefined);
    expect(withB.length).toBeGreaterThan(3);
    const b = withB[withB.length - 1]!.availableBitrateKbps!;
    expect(b).toBeGreaterThan(capMbit * 1000 * 0.65);
    expect(b).toBeLessThan(capMbit * 1000 * 1.35);
  }, 60_000);
});

function pick(s: OutputStats): Record<string, unknown> {
  return {
    state: s.state, kbps: s.bitrateKbps, deliveryMs: s.deliveryMs, note: s.deliveryNote, B: s.availableBitrateKbps, U: s.utilization,
    backlogMs: s.backlogMs, socketBacklogBytes: s.socketBacklogBytes, dropped: s.framesDropped, queueMs: s.queueMs,
  };
}
