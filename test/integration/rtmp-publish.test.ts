// A 10 s publish of real H.264/AAC to nginx-rtmp and to ffmpeg's RTMP server at the same time.
import { afterEach, describe, expect, it } from 'vitest';
import { RtmpOutput } from '../../src/main/outputs/rtmp/rtmp-output';
import type { OutputStats } from '../../src/shared/stats';
import { startFfmpegRtmpServer, type FfmpegRtmpServer } from '../peers/ffmpeg-rtmp-server';
import { countFrames } from '../peers/ffprobe';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { startTestSource, type TestSource } from './rtmp-source';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('RTMP publish to real servers', () => {
  it('10 s of 1280x720 H.264 + AAC to nginx-rtmp and ffmpeg at once: ≥290 frames decoded from each', async () => {
    const peers = sharedPeers();
    const key = uniqueKey('rtmp-both');
    const ff: FfmpegRtmpServer = await startFfmpegRtmpServer({ key: 'ffkey', output: 'flv' });
    cleanups.push(() => ff.stop());
    // Start the nginx reader first: nginx-rtmp holds a player until the publisher arrives.
    const nginxRead = countFrames(peers.nginx.url(key), { timeoutMs: 45_000, idleMs: 4000 });
    const src: TestSource = startTestSource({ seconds: 10 });
    cleanups.push(() => src.stop());
    const configs = await src.configs;
    const toNginx = new RtmpOutput({ id: 'nginx', url: `rtmp://127.0.0.1:${peers.nginx.rtmpPort}/live`, streamKey: key, videoBitrateKbps: 2500, audioBitrateKbps: 128 });
    const toFfmpeg = new RtmpOutput({ id: 'ffmpeg', url: ff.url, videoBitrateKbps: 2500, audioBitrateKbps: 128 });
    cleanups.push(() => toNginx.stop(), () => toFfmpeg.stop());
    const states: string[] = [];
    toNginx.on('state', (s) => states.push(s));
    src.feed(toNginx);
    src.feed(toFfmpeg);
    await Promise.all([toNginx.start(configs), toFfmpeg.start(configs)]);
    await new Promise((r) => setTimeout(r, 3000));
    const stat = await peers.nginx.streamStat(key);
    expect(stat?.publishing).toBe(true);
    expect(stat?.video).toMatchObject({ width: 1280, height: 720 });
    expect(stat?.audio?.codec).toMatch(/AAC/i);
    await src.done;
    await new Promise((r) => setTimeout(r, 500));
    const sN: OutputStats = toNginx.stats();
    const sF: OutputStats = toFfmpeg.stats();
    await Promise.all([toNginx.stop(), toFfmpeg.stop()]);
    const fromNginx = await nginxRead;
    await ff.done;
    const fromFfmpeg = await countFrames(ff.outputPath!, { timeoutMs: 30_000 });
    console.log(JSON.stringify({ source: src.packetsOut, nginxStat: stat, nginx: sN, ffmpeg: sF, decodedNginx: { frames: fromNginx.frames, audio: fromNginx.audioFrames, sizes: fromNginx.sizes }, decodedFfmpeg: { frames: fromFfmpeg.frames, audio: fromFfmpeg.audioFrames, sizes: fromFfmpeg.sizes } }));
    expect(states).toEqual(['connecting', 'live', 'stopping', 'stopped']);
    for (const [s, d] of [[sN, fromNginx], [sF, fromFfmpeg]] as const) {
      expect(s.framesSent).toBeGreaterThanOrEqual(295);
      expect(s.framesDropped).toBe(0);
      expect(s.bytesSent).toBeGreaterThan(1_000_000);
      expect(s.connectTimeMs).toBeGreaterThan(0);
      expect(d.frames).toBeGreaterThanOrEqual(290);
      expect(d.sizes).toEqual(['1280x720']);
      expect(d.hasAudio).toBe(true);
      expect(d.audioCodec).toBe('aac');
      expect(d.audioFrames).toBeGreaterThan(400);
    }
    expect(sN.pingMs).toBeGreaterThanOrEqual(0);
  });
});
