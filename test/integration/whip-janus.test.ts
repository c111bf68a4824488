// WhipOutput against a real WHIP server: Janus + Meetecho's simple-whip-server (PEERS.md), room
// 4242 (H.264 + Opus), with Janus RTP-forwarding our stream to an ffmpeg that decodes it.
import { afterEach, describe, expect, it } from 'vitest';
import { WhipOutput } from '../../src/main/outputs/whip/whip-output';
import { AuthError } from '../../src/shared/errors';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { startRtpReceiver, type RtpReceiver } from '../peers/rtp-receiver';
import { ffmpegSource, type LiveSource } from '../unit/outputs/whip/media-source';

// werift numbers our offer's payload types in codec order (audio first): Opus 96, H.264 97.
// Janus answers with the offered payload types and forwards them unchanged.
const OPUS_PT = 96;
const H264_PT = 97;

let src: LiveSource | undefined;
let out: WhipOutput | undefined;
let rx: RtpReceiver | undefined;
afterEach(async () => {
  src?.stop();
  await out?.stop();
  await rx?.stop();
  src = out = rx = undefined;
});

describe('WHIP to Janus + simple-whip-server', () => {
  it('publishes 10 s of 1280x720 H.264 + Opus that ffmpeg decodes from the forward; DELETE frees the endpoint', async () => {
    const peers = sharedPeers();
    const id = uniqueKey('whip');
    const token = 'janus-token-0123456789';
    rx = await startRtpReceiver({ videoPt: H264_PT, audioPt: OPUS_PT });
    const recipient = rx.audioPort === undefined ? { videoPort: rx.videoPort } : { videoPort: rx.videoPort, audioPort: rx.audioPort };
    const url = await peers.whip.createEndpoint({ id, token, recipient });

    src = ffmpegSource({ width: 1280, height: 720, fps: 30, seconds: 12, gop: 30, audio: true });
    const config = await src.config;
    out = new WhipOutput({ id, url, token, videoBitrateKbps: 2500, audioBitrateKbps: 64 });
    const o = out;
    src.onPacket((p) => o.write(p));
    await out.start([config, { codec: 'opus', sampleRate: 48000, channels: 2 }]);
    expect(out.stats().connectTimeMs).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 10_000));
    const s = out.stats();
    await out.stop();
    const result = await rx.result();
    console.log('janus publish', JSON.stringify({ frames: result.frames, size: `${result.width}x${result.height}`, audioFrames: result.audioFrames, sent: s.framesSent, kbps: s.bitrateKbps, rttMs: s.rttMs, remb: s.availableBitrateKbps }));
    expect(result.frames).toBeGreaterThanOrEqual(250);
    expect(result.width).toBe(1280);
    expect(result.height).toBe(720);
    // the source is a real-time ffmpeg: on a loaded machine it produces a few frames under 300 in 10 s
    expect(s.framesSent).toBeGreaterThanOrEqual(250);

    // The endpoint takes one publisher at a time: a new one is accepted only because DELETE went out.
    src.stop();
    src = ffmpegSource({ width: 1280, height: 720, fps: 30, seconds: 3, gop: 30 });
    const again = new WhipOutput({ id: `${id}-2`, url, token, videoBitrateKbps: 2500 });
    out = again;
    await again.start([await src.config]);
    expect(again.stats().state).toBe('live');
    await again.stop();
  });

  it('a wrong token is refused with a message naming 401/403, without the token', async () => {
    const peers = sharedPeers();
    const id = uniqueKey('whip');
    const url = await peers.whip.createEndpoint({ id, token: 'the-right-token-1234' });
    src = ffmpegSource({ width: 320, height: 240, fps: 30, seconds: 2, gop: 30 });
    out = new WhipOutput({ id, url, token: 'a-wrong-token-98765', videoBitrateKbps: 500 });
    const err = await out.start([await src.config]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    const msg = (err as Error).message;
    console.log('wrong token:', msg);
    expect(msg).toMatch(/40[13]/);
    expect(msg).not.toContain('a-wrong-token-98765');
  });
});
