// Issue #12: the engine is killed with SIGKILL while recording to Matroska (the studio's default
// format). The recorder is a separate ffmpeg that sees its input end and finalises the file
// itself (outputs/record/record-output.ts), so the file decodes up to at most 2 s before the kill.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countFrames, probeFile } from '../peers/ffprobe';
import { sleep } from '../peers/ports';
import { openStudio, type OpenStudio } from '../helpers/studio-process';
import { useFfmpegVideoPath } from '../helpers/video-path';
import { until } from '../helpers/far-end';
import { runCapture } from '../../src/main/encoder/process';
import type { StudioApi } from '../../src/shared/api';

const FPS = 30;

describe('studio: the engine killed (SIGKILL) while recording MKV', () => {
  let open: OpenStudio;
  let api: StudioApi;
  const file = join(mkdtempSync(join(tmpdir(), 'tandem-kill-')), 'killed.mkv');

  beforeAll(async () => {
    open = await openStudio();
    ({ api } = open);
    await useFfmpegVideoPath(api);
  });
  afterAll(async () => {
    await open?.close();
  });

  it('the file decodes up to at most 2 s before the kill, and no recorder is left running', async () => {
    expect((await api.getSettings()).recordFormat).toBe('mkv');
    await api.startRecording({ path: file });
    const recorded = async () => (await api.getStats()).find((s) => s.id === 'record')?.framesSent ?? 0;
    await until('6 s of recorded video', async () => (await recorded()) >= 6 * FPS, 30_000);
    // The last count before the kill: frames handed to the recorder by then.
    const sent = await recorded();
    process.kill(open.studio.pid, 'SIGKILL');
    await open.studio.exited;
    // The orphaned recorder sees end of input, writes its last cluster and exits.
    await until('the recorder to exit', async () => !(await runCapture('ps', ['-eo', 'args'])).stdout.includes(file), 10_000);
    await sleep(200);

    const probe = await probeFile(file);
    const decoded = await countFrames(file, { timeoutMs: 60_000 });
    console.log('engine SIGKILL while recording', JSON.stringify({ framesSentBeforeKill: sent, framesDecoded: decoded.frames, durationSec: probe.durationSec, lastPtsSec: decoded.lastVideoPtsSec }));
    expect(probe.formatName).toContain('matroska');
    expect(probe.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(decoded.exitCode).toBe(0);
    expect(decoded.frames, 'frames lost at the end: at most 2 s').toBeGreaterThanOrEqual(sent - 2 * FPS);
  });
});
