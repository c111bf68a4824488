// Issue #5: RTMP and WHIP together in one `tandem publish` — one encode, two protocols — and both
// far ends decode: ffmpeg reading nginx-rtmp, and ffmpeg reading Janus's RTP forward.
import { resolve, join } from 'node:path';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, inject, it } from 'vitest';
import { ChildProc } from '../../src/main/encoder/process';
import { countFrames } from '../peers/ffprobe';
import { sharedPeers, uniqueKey } from '../peers/shared';
import { startRtpReceiver } from '../peers/rtp-receiver';

const ROOT = resolve(__dirname, '../..');
// werift numbers the offer's payload types in codec order (audio first): Opus 96, H.264 97.
const OPUS_PT = 96;
const H264_PT = 97;

describe('tandem publish --rtmp --whip', () => {
  it('publishes one encode over RTMP and WHIP at once; both far ends decode 1280x720; exit 0', async () => {
    const key = uniqueKey('both');
    const token = 'both-token-0123456789';
    const rx = await startRtpReceiver({ videoPt: H264_PT, audioPt: OPUS_PT });
    try {
      const recipient = rx.audioPort === undefined ? { videoPort: rx.videoPort } : { videoPort: rx.videoPort, audioPort: rx.audioPort };
      const whipUrl = await sharedPeers().whip.createEndpoint({ id: uniqueKey('both-whip'), token, recipient });
      const rtmpUrl = `${inject('nginxRtmpUrl')}/${key}`;
      const stats = join(mkdtempSync(join(tmpdir(), 'tandem-both-')), 'stats.jsonl');
      const reader = countFrames(rtmpUrl, { timeoutMs: 40_000, durationMs: 8_000 });
      const p = new ChildProc(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'src/main/cli/index.ts'), 'publish', '--source', 'testsrc', '--duration', '10', '--rtmp', rtmpUrl, '--whip', whipUrl, '--token', token, '--stats', stats],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exit = await p.exited;
      const rtmp = await reader;
      const whip = rx.stats();
      console.log('both', JSON.stringify({ exit: exit.code, rtmp: { frames: rtmp.frames, w: rtmp.width, h: rtmp.height }, whip: { frames: whip.frames, w: whip.width, h: whip.height } }));
      expect(exit.code, p.stderr).toBe(0);
      expect(rtmp.frames).toBeGreaterThanOrEqual(200);
      expect([rtmp.width, rtmp.height]).toEqual([1280, 720]);
      expect(whip.frames).toBeGreaterThanOrEqual(200);
      expect([whip.width, whip.height]).toEqual([1280, 720]);
      // one stats line per destination per second, for both protocols, with no secret in them
      const lines = readFileSync(stats, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { protocol: string; url: string; bytesSent: number });
      expect(new Set(lines.map((l) => l.protocol))).toEqual(new Set(['rtmp', 'whip']));
      expect(lines.filter((l) => l.protocol === 'whip').at(-1)?.bytesSent).toBeGreaterThan(500_000);
      const text = readFileSync(stats, 'utf8');
      expect(text).not.toContain(key);
      expect(text).not.toContain(token);
    } finally {
      await rx.stop();
    }
  });
});
