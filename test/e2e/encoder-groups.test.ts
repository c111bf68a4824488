// Issue #11, encoder groups: two destinations with their own bitrates (1.5 and 4 Mbit/s) each
// arrive at their own rate, ±15 % over 10 s, read back from nginx-rtmp.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bitrateKbps, readPackets, type Packet } from '../peers/packets';
import { uniqueKey } from '../peers/shared';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { addMediaFile, box, writeDetailClip } from '../helpers/studio-scene';
import type { StudioApi } from '../../src/shared/api';

describe('studio: two destinations at their own bitrates', () => {
  let open: OpenStudio;
  let api: StudioApi;
  let page: Page;
  const low = uniqueKey('rate-1500');
  const high = uniqueKey('rate-4000');
  const clip = join(mkdtempSync(join(tmpdir(), 'tandem-rates-')), 'detail.webm');

  beforeAll(async () => {
    open = await openStudio();
    ({ api, page } = open);
    // Detailed moving pictures over the whole program (writeDetailClip), so each encoder has to
    // spend its budget: the fake camera alone encodes to ~0.2 Mbit/s whatever the target (measured:
    // 176 and 173 kbit/s at targets of 1.5 and 4 Mbit/s).
    writeDetailClip(clip, 30);
    await addMediaFile(page, api, 'Detail clip', clip, box(0, 0, 1280, 720));
    await api.addDestination({ name: 'low', protocol: 'rtmp', url: inject('nginxRtmpUrl'), secret: low, videoBitrateKbps: 1500 });
    await api.addDestination({ name: 'high', protocol: 'rtmp', url: inject('nginxRtmpUrl'), secret: high, videoBitrateKbps: 4000 });
  });
  afterAll(async () => {
    await api?.stopLive().catch(() => undefined);
    await open?.close();
  });

  it('1.5 and 4 Mbit/s each arrive at their rate, ±15 % over 10 s', async () => {
    const url = (k: string) => `${inject('nginxRtmpUrl')}/${k}`;
    // 12 s of media each; the first 2 s (the first IDR, the rate controller settling) are left out.
    const lowRead = readPackets(url(low), { mediaSec: 12, timeoutMs: 60_000 });
    const highRead = readPackets(url(high), { mediaSec: 12, timeoutMs: 60_000 });
    await api.goLive();
    const lowPackets = await lowRead;
    const highPackets = await highRead;
    const groups = (await api.getEngineStats()).groups;
    const rate = (ps: Packet[]) => {
      const first = ps.find((p) => p.type === 'video')?.pts ?? 0;
      return bitrateKbps(ps, 'video', first + 2, first + 12);
    };
    const lowKbps = rate(lowPackets);
    const highKbps = rate(highPackets);
    console.log('two bitrates', JSON.stringify({ lowKbps: Math.round(lowKbps), highKbps: Math.round(highKbps), lowFrames: lowPackets.filter((p) => p.type === 'video').length, groups, load: loadavg()[0] }));
    expect(groups.map((g) => g.targetKbps).sort((a, b) => a - b)).toEqual([1500, 4000]);
    for (const g of groups) expect(g.path).toBe('webcodecs');
    expect(lowKbps).toBeGreaterThanOrEqual(1500 * 0.85);
    expect(lowKbps).toBeLessThanOrEqual(1500 * 1.15);
    expect(highKbps).toBeGreaterThanOrEqual(4000 * 0.85);
    expect(highKbps).toBeLessThanOrEqual(4000 * 1.15);
  });
});
