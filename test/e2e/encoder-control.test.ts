// Issue #11, keyframe on demand: a WHIP receiver (werift, in this process) sends PLIs; the next
// IDR must leave the publisher within 150 ms (p95 over 20 requests), not at the next scheduled
// GOP. Timed as the viewer waits: from the PLI leaving the receiver to the IDR's first RTP packet
// arriving there, so both loopback hops (2-25 ms here) count against the publisher.
// (Encoder groups: encoder-groups.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadavg } from 'node:os';
import { startWeriftEndpoint, type WeriftEndpoint } from '../unit/outputs/whip/werift-endpoint';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { addCamera, box } from '../helpers/studio-scene';
import type { StudioApi } from '../../src/shared/api';

/** Whether an H.264 RTP payload (RFC 6184 §5) starts an IDR: STAP-A with an SPS or IDR, an IDR, or the first FU-A fragment of one. */
function startsIdr(payload: Uint8Array): boolean {
  const type = (payload[0] ?? 0) & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 28) return ((payload[1] ?? 0) & 0x80) !== 0 && ((payload[1] ?? 0) & 0x1f) === 5;
  if (type === 24) {
    for (let off = 1; off + 2 < payload.length; ) {
      const size = ((payload[off] ?? 0) << 8) | (payload[off + 1] ?? 0);
      const nal = (payload[off + 2] ?? 0) & 0x1f;
      if (nal === 5 || nal === 7) return true;
      off += 2 + size;
    }
  }
  return false;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] ?? NaN;
};

describe('studio: a PLI gets an IDR at once', () => {
  let open: OpenStudio;
  let api: StudioApi;
  let ep: WeriftEndpoint;

  beforeAll(async () => {
    open = await openStudio();
    ({ api } = open);
    // The longest GOP the settings allow, so scheduled IDRs (every 10 s) rarely answer a request.
    await api.updateSettings({ keyintSec: 10 });
    await addCamera(api, box(640, 200, 640, 480));
  });
  afterAll(async () => {
    await api?.stopLive().catch(() => undefined);
    await ep?.close();
    await open?.close();
  });

  /**
   * Live on a fresh werift receiver, until its video arrives. werift's DTLS client (the receiver
   * answers setup:active) fails the handshake when a HelloVerifyRequest comes twice — the studio's
   * DTLS server answering a retransmitted ClientHello late, which happens on this box under load
   * (seen: "onHandleHandshakes error at Flight3.exec", then conn 'failed' while our side is
   * live). That is the test receiver's bug, so the connection is retried, at most 3 times.
   */
  async function liveOnReceiver(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      ep = await startWeriftEndpoint();
      const d = await api.addDestination({ name: `werift WHIP ${attempt}`, protocol: 'whip', url: ep.url });
      await api.goLive({ ids: [d.id] });
      const deadline = performance.now() + 10_000;
      while (performance.now() < deadline && ep.rtp.filter((r) => r.kind === 'video').length < 50) await new Promise((r) => setTimeout(r, 100));
      if (ep.rtp.filter((r) => r.kind === 'video').length >= 50) return;
      console.log(`werift receiver got no video (attempt ${attempt}): ${JSON.stringify(await api.getStats())}`);
      await api.stopLive();
      await api.removeDestination({ id: d.id });
      await ep.close();
      if (attempt === 3) throw new Error('the werift receiver got no video in 3 attempts');
    }
  }

  it('answers 20 PLIs with an IDR within 150 ms (p95)', async () => {
    await liveOnReceiver();
    await new Promise((r) => setTimeout(r, 2000));
    const before = (await api.getEngineStats()).groups[0];
    const latencies: number[] = [];
    let missed = 0;
    for (let i = 0; i < 20; i++) {
      const from = ep.rtp.length;
      const t0 = performance.now();
      ep.sendPli();
      let idrAt: number | undefined;
      while (idrAt === undefined && performance.now() - t0 < 2000) {
        await new Promise((r) => setTimeout(r, 5));
        for (let k = from; k < ep.rtp.length; k++) {
          const r = ep.rtp[k]!;
          if (r.kind === 'video' && r.at >= t0 && startsIdr(r.packet.payload)) {
            idrAt = r.at;
            break;
          }
        }
      }
      if (idrAt === undefined) missed++;
      else latencies.push(idrAt - t0);
      // ≥ 400 ms between requests: the limiter forces at most one IDR per 250 ms.
      const wait = t0 + 500 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const after = (await api.getEngineStats()).groups[0];
    const p50 = pct(latencies, 0.5);
    const p95 = pct(latencies, 0.95);
    console.log('PLI → IDR', JSON.stringify({ ms: latencies.map(Math.round), p50: Math.round(p50), p95: Math.round(p95), missed, forced: (after?.forcedKeyframes ?? 0) - (before?.forcedKeyframes ?? 0), encodeMsP50: after?.encodeMsP50, path: after?.path, load: loadavg()[0] }));
    expect(after?.path).toBe('webcodecs');
    expect(missed).toBe(0);
    expect((after?.forcedKeyframes ?? 0) - (before?.forcedKeyframes ?? 0)).toBeGreaterThanOrEqual(18);
    // The promise: the next IDR, not the next GOP (the ffmpeg path waits up to keyintSec, here 10 s).
    expect(p95).toBeLessThanOrEqual(150);
  });
});
