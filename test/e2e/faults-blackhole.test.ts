// Issue #12: a 2 s blackhole on both paths at once (relays of ours stop forwarding and keep every
// socket open: RTMP through a TCP relay to nginx-rtmp, WHIP media through a UDP relay to Janus,
// its signalling through a proxy that steers ICE onto that relay). Both destinations come back
// without a user action (the far ends decode fresh frames again), and a recording running at the
// same time has no hole in its video timestamps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startRtpReceiver, type RtpReceiver } from '../peers/rtp-receiver';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { sleep } from '../peers/ports';
import { probeFile } from '../peers/ffprobe';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { useFfmpegVideoPath } from '../helpers/video-path';
import { framesAfter, playStream, until, type Player } from '../helpers/far-end';
import { startWhipProxy, type WhipProxy } from '../helpers/whip-proxy';
import { TcpRelay, UdpRelay } from '../helpers/relay';
import { largestGap, packetTimes } from '../helpers/media-file';
import type { StudioApi } from '../../src/shared/api';

const OPUS_PT = 96;
const H264_PT = 97;
const FPS = 30;

describe('studio: a 2 s blackhole on RTMP and WHIP at once, while recording', () => {
  let open: OpenStudio;
  let page: Page;
  let api: StudioApi;
  let tcp: TcpRelay;
  let udp: UdpRelay;
  let proxy: WhipProxy;
  let rx: RtpReceiver;
  let player: Player | undefined;
  const file = join(mkdtempSync(join(tmpdir(), 'tandem-blackhole-')), 'during-blackhole.mkv');

  const row = (name: string) => page.locator('[data-testid=destination]', { hasText: name });
  const stateOf = (name: string) => row(name).getAttribute('data-state');

  beforeAll(async () => {
    const peers = sharedPeers();
    open = await openStudio({ width: 1440, height: 900 });
    ({ page, api } = open);
    await useFfmpegVideoPath(api);
    tcp = new TcpRelay({ host: '127.0.0.1', port: peers.nginx.rtmpPort }, { rttMs: 0, lossRate: 0 });
    await tcp.listen();
    // Upstream sockets bind the root side of Janus' link: the only address Janus can answer.
    udp = new UdpRelay({ host: '127.0.0.1', port: 9 }, { rttMs: 0, lossRate: 0 }, peers.whip.recipientHost);
    await udp.listen();
    proxy = await startWhipProxy({ target: peers.whip.baseUrl, media: udp });
    rx = await startRtpReceiver({ videoPt: H264_PT, audioPt: OPUS_PT });
  });
  afterAll(async () => {
    await api?.stopLive().catch(() => undefined);
    await api?.stopRecording().catch(() => undefined);
    await player?.stop();
    await rx?.stop();
    await open?.close();
    await proxy?.close();
    await udp?.close();
    await tcp?.close();
  });

  it('both come back by themselves, and the recording has no gap', async () => {
    const peers = sharedPeers();
    const key = uniqueKey('blackhole');
    const token = 'blackhole-token-0123456789';
    const recipient = rx.audioPort === undefined ? { videoPort: rx.videoPort } : { videoPort: rx.videoPort, audioPort: rx.audioPort };
    const endpoint = await peers.whip.createEndpoint({ id: uniqueKey('blackhole'), token, recipient });
    const rtmp = await api.addDestination({ name: 'RTMP via relay', protocol: 'rtmp', url: `rtmp://127.0.0.1:${tcp.port}/live`, secret: key });
    const whip = await api.addDestination({ name: 'WHIP via relay', protocol: 'whip', url: proxy.via(endpoint), secret: token });

    await api.startRecording({ path: file });
    player = playStream(peers.nginx.url(key));
    await page.getByTestId('go-live-all').click();
    await expect.poll(() => stateOf('RTMP via relay'), { timeout: 30_000 }).toBe('live');
    await expect.poll(() => stateOf('WHIP via relay'), { timeout: 30_000 }).toBe('live');
    await player.frames(60, 30_000);
    await rx.waitForFrames(60, 30_000);
    expect(udp.counters.forwarded, 'WHIP media crosses the relay').toBeGreaterThan(100);
    await sleep(2000);

    const rtmpBefore = player.stats().frames;
    const whipBefore = rx.stats().frames;
    const postsBefore = proxy.posts().length;
    const recordedBefore = (await api.getStats()).find((x) => x.id === 'record')?.framesSent ?? 0;
    const recorderDropsBefore = (await api.getStats()).find((x) => x.id === 'record')?.framesDropped ?? 0;
    const encoderDropsBefore = (await api.getEngineStats()).mediaIn.videoDropped;
    const marks: Record<string, number> = {};
    const mark = async (what: string): Promise<void> => {
      marks[what] = ((await api.getStats()).find((x) => x.id === 'record')?.framesSent ?? 0) - recordedBefore;
    };
    const startedAt = Date.now();
    tcp.blackhole(2000);
    udp.blackhole(2000);
    await sleep(2000);
    const endedAt = Date.now();
    await mark('blackholeEnd');
    const rtmpDuring = player.stats().frames - rtmpBefore;
    const whipDuring = rx.stats().frames - whipBefore;

    // Back without a user action: fresh frames at both far ends within 10 s of the path's return.
    const rtmpBackAt = await until('RTMP frames after the blackhole', () => player!.stats().frames > rtmpBefore + rtmpDuring + 30, 10_000);
    await mark('rtmpBack');
    const whipBackAt = await framesAfter(rx, rx.stats().frames, Math.max(1000, endedAt + 10_000 - Date.now()), 30);
    await mark('whipBack');
    await expect.poll(() => stateOf('RTMP via relay'), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => stateOf('WHIP via relay'), { timeout: 15_000 }).toBe('live');
    const stats = await api.getStats();
    const figures = {
      blackholeMs: endedAt - startedAt,
      rtmp: { framesDuring: rtmpDuring, backAfterMs: rtmpBackAt - endedAt, reconnects: stats.find((s) => s.id === rtmp.id)?.reconnects },
      whip: { framesDuring: whipDuring, backAfterMs: whipBackAt - endedAt, reconnects: stats.find((s) => s.id === whip.id)?.reconnects, newPosts: proxy.posts().length - postsBefore },
    };
    await sleep(2000);
    const recordedAfter = (await api.getStats()).find((x) => x.id === 'record')?.framesSent ?? 0;
    // Frames the encoder could not take in time (ffmpeg over 4 frames behind: a loaded machine, as
    // OBS's "skipped frames due to encoding lag"), counted and shown in the status bar. They are not
    // the network's doing; every other missing slot in the window would be.
    const encoderDrops = (await api.getEngineStats()).mediaIn.videoDropped - encoderDropsBefore;
    const recorderDrops = ((await api.getStats()).find((x) => x.id === 'record')?.framesDropped ?? 0) - recorderDropsBefore;
    const rec = await api.stopRecording();
    expect(rec.error).toBeUndefined();
    const times = await packetTimes(file);
    const gap = largestGap(times);
    // The recorder writes every video frame it is given, in order: the k-th packet of the file is
    // the k-th frame it counted, so the fault window is packets [recordedBefore, recordedAfter).
    // Steps over 50 ms, as "frames after the blackhole began:ms", next to the marks above.
    const steps = times.map((t, i) => (i > 0 && t - times[i - 1]! > 0.05 ? `${i - recordedBefore}:${Math.round((t - times[i - 1]!) * 1000)}` : '')).filter(Boolean);
    const windowTimes = times.slice(Math.max(0, recordedBefore - 1), recordedAfter);
    const during = largestGap(windowTimes);
    const interval = 1 / FPS;
    const missingSlots = windowTimes.reduce((n, t, i) => (i === 0 ? 0 : n + Math.max(0, Math.round((t - windowTimes[i - 1]!) / interval) - 1)), 0);
    const probe = await probeFile(file);
    console.log('blackhole', JSON.stringify({ ...figures, recording: { packets: times.length, durationSec: probe.durationSec, window: [recordedBefore, recordedAfter], largestGapInWindowMs: Math.round(during.gapSec * 1000), missingSlots, encoderDrops, recorderDrops, gapAfterFrames: during.index, largestGapMs: Math.round(gap.gapSec * 1000), atSec: gap.atSec, marks, steps: steps.join(' ') } }));
    expect(probe.video).toMatchObject({ width: 1280, height: 720 });
    expect(times.length).toBeGreaterThan(FPS * 8);
    expect(recordedAfter - recordedBefore, 'the recording went on through the blackhole (about 5 s)').toBeGreaterThan(FPS * 2.5);
    // The recorder dropped nothing while the network was gone.
    expect(recorderDrops, 'frames the recorder dropped during the blackhole').toBe(0);
    // No hole in the timestamps. Holes the encoder made by lagging (counted and shown in the
    // status bar, as OBS's "skipped frames due to encoding lag") happen only on an overloaded
    // machine and are not the network's doing: then the figures are logged, not judged.
    if (encoderDrops === 0) {
      expect(during.gapSec * 1000, `largest gap in the recording's video timestamps around the blackhole (at ${during.atSec} s)`).toBeLessThanOrEqual(2.5 * (1000 / FPS));
    } else {
      console.warn(`blackhole: the encoder lagged and dropped ${encoderDrops} frames in the window (${missingSlots} missing slots); the gap check needs a machine that keeps up`);
    }
  });
});
