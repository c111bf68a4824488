import { describe, expect, it } from 'vitest';
import { buildEncoderArgs, buildRecorderArgs, deviceInput, gopFrames, recordFormatFor } from '../../../src/main/encoder/args';
import { DEFAULT_SETTINGS } from '../../../src/main/encoder/encoder';
import { asarUnpacked, ffmpegCandidates, parseEncoderList, parseFfmpegVersion, parseFilterList, resolveFfmpeg } from '../../../src/main/encoder/ffmpeg-path';
import { TandemError } from '../../../src/shared/errors';

const S = { ...DEFAULT_SETTINGS, platform: 'linux' as const };
const after = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

describe('buildEncoderArgs', () => {
  it('testsrc: x264 zerolatency, fixed GOP, no B-frames, AUDs, Annex B on fd 1, ADTS on fd 5', () => {
    const { args, stdio, fds } = buildEncoderArgs({ kind: 'testsrc' }, { ...S, drawtext: true, durationSec: 10 });
    expect(args).toEqual(expect.arrayContaining(['-tune', 'zerolatency', '-bf', '0', '-sc_threshold', '0', '-fps_mode', 'passthrough']));
    expect(after(args, '-g')).toBe('60');
    expect(after(args, '-keyint_min')).toBe('60');
    expect(after(args, '-bsf:v')).toBe('h264_metadata=aud=insert');
    expect(args.join(' ')).toContain('testsrc2=size=1280x720:rate=30');
    expect(args.join(' ')).toContain('sine=frequency=1000');
    expect(args.join(' ')).toContain('drawtext=');
    expect(args.filter((a) => a === '-re')).toHaveLength(2);
    expect(args).toContain('pipe:1');
    expect(args).toContain('pipe:5');
    expect(args).not.toContain('pipe:6');
    expect(fds).toEqual({ video: 1, aac: 5 });
    expect(stdio).toEqual(['ignore', 'pipe', 'pipe', 'ignore', 'ignore', 'pipe']);
  });
  it('encodes only the audio codecs asked for', () => {
    const opusOnly = buildEncoderArgs({ kind: 'testsrc' }, { ...S, aac: false, opus: true });
    expect(opusOnly.args).not.toContain('aac');
    expect(opusOnly.args).toEqual(expect.arrayContaining(['libopus', 'pipe:6', '-page_duration', '20000']));
    expect(opusOnly.fds).toEqual({ video: 1, opus: 6 });
  });
  it('raw mode reads I420 on fd 3 and s16le on fd 4; both in one process stamp audio with the wall clock', () => {
    const { args, stdio, fds } = buildEncoderArgs({ kind: 'raw' }, S);
    expect(args.join(' ')).toContain('-f rawvideo -pix_fmt yuv420p -video_size 1280x720 -framerate 30 -i pipe:3');
    expect(args.join(' ')).toContain('-use_wallclock_as_timestamps 1 -thread_queue_size 256 -f s16le -ar 48000 -ac 2 -i pipe:4');
    expect(args).not.toContain('-re');
    expect(fds.videoIn).toBe(3);
    expect(stdio[3]).toBe('pipe');
  });
  it('raw video-only (an encoder group on the ffmpeg path) and audio-only (the studio audio) processes', () => {
    const video = buildEncoderArgs({ kind: 'raw' }, { ...S, aac: false, opus: false });
    expect(video.fds).toEqual({ video: 1, videoIn: 3 });
    expect(video.args.join(' ')).not.toContain('s16le');
    expect(video.args.join(' ')).toContain('-map 0:v:0');
    const audio = buildEncoderArgs({ kind: 'raw' }, { ...S, video: false, aac: true, opus: true });
    expect(audio.fds).toEqual({ audioIn: 4, aac: 5, opus: 6 });
    expect(audio.stdio[1]).toBe('ignore');
    const a = audio.args.join(' ');
    expect(a).not.toContain('rawvideo');
    expect(a).not.toContain('libx264');
    expect(a).not.toContain('-use_wallclock_as_timestamps');
    expect(a).toContain('-f s16le -ar 48000 -ac 2 -i pipe:4');
    expect(a).toContain('-map 0:a:0 -c:a aac');
  });
  it('file: looped, paced, fitted to size, silent audio when the file has none', () => {
    const withAudio = buildEncoderArgs({ kind: 'file', path: '/m/a.mp4', hasAudio: true }, S).args.join(' ');
    expect(withAudio).toContain('-re -stream_loop -1 -i /m/a.mp4');
    expect(withAudio).toContain('-map 0:a:0');
    expect(withAudio).toContain('fps=30');
    const silent = buildEncoderArgs({ kind: 'file', path: '/m/a.mp4', hasAudio: false }, S).args.join(' ');
    expect(silent).toContain('anullsrc');
    expect(silent).toContain('-map 1:a:0');
  });
  it('devices per platform', () => {
    expect(deviceInput('/dev/video0#default', S)).toMatchObject({ video: { format: 'v4l2' }, audio: { format: 'pulse', input: 'default' } });
    expect(deviceInput(':0.0', S).video.format).toBe('x11grab');
    expect(deviceInput('0:1', { ...S, platform: 'darwin' })).toMatchObject({ video: { format: 'avfoundation' }, audioInVideoInput: true });
    expect(deviceInput('desktop', { ...S, platform: 'win32' }).video.format).toBe('gdigrab');
    expect(deviceInput('video=Cam:audio=Mic', { ...S, platform: 'win32' })).toMatchObject({ video: { format: 'dshow' }, audioInVideoInput: true });
    expect(buildEncoderArgs({ kind: 'device', name: ':0.0' }, S).args.join(' ')).toContain('anullsrc');
  });
  it('GOP frames from seconds', () => {
    expect(gopFrames({ keyintSec: 2, fps: 30 })).toBe(60);
    expect(gopFrames({ keyintSec: 0.5, fps: 25 })).toBe(13);
  });
});

describe('recorder args', () => {
  it('picks the container from the extension', () => {
    expect(recordFormatFor('a.mp4')).toBe('mp4');
    expect(recordFormatFor('a.FLV')).toBe('flv');
    expect(recordFormatFor('a.mkv')).toBe('matroska');
    expect(recordFormatFor('noext')).toBe('matroska');
  });
  it('fragmented mp4 and remux only', () => {
    const a = buildRecorderArgs('/r/x.mp4', 'mp4');
    expect(after(a, '-movflags')).toBe('+frag_keyframe+empty_moov+default_base_moof');
    expect(after(a, '-c')).toBe('copy');
    expect(a[a.length - 1]).toBe('/r/x.mp4');
  });
});

describe('ffmpeg resolution', () => {
  it('orders env, ffmpeg-static, PATH', () => {
    expect(ffmpegCandidates({ TANDEM_FFMPEG: '/opt/ff' }, '/s/ffmpeg', 'linux').map((c) => c.source)).toEqual(['env', 'ffmpeg-static', 'path']);
    expect(ffmpegCandidates({}, undefined, 'win32')).toEqual([{ source: 'path', path: 'ffmpeg.exe' }]);
  });
  it('maps app.asar to app.asar.unpacked', () => {
    expect(asarUnpacked('/Apps/T.app/Contents/Resources/app.asar/node_modules/ffmpeg-static/ffmpeg')).toBe(
      '/Apps/T.app/Contents/Resources/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg',
    );
    expect(asarUnpacked('C:\\T\\resources\\app.asar\\x\\ffmpeg.exe')).toBe('C:\\T\\resources\\app.asar.unpacked\\x\\ffmpeg.exe');
  });
  it('parses version, encoder and filter lists', () => {
    expect(parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000')).toBe('5.1.9-0+deb12u1');
    const enc = parseEncoderList(' V....D libx264              libx264 H.264\n A..... aac                  AAC\n ------\n');
    expect([...enc]).toEqual(['libx264', 'aac']);
    expect(parseFilterList(' T.C drawtext          V->V       Draw text\n ... testsrc2 |->V x').has('drawtext')).toBe(true);
  });
  it('falls through a broken $TANDEM_FFMPEG to PATH', async () => {
    const info = await resolveFfmpeg({ env: { TANDEM_FFMPEG: '/nonexistent/ffmpeg', PATH: process.env.PATH }, staticPath: undefined });
    expect(info.source).toBe('path');
    expect(info.version).toMatch(/\d/);
  });
  it('names all three places when none works', async () => {
    const err = await resolveFfmpeg({ env: { TANDEM_FFMPEG: '/nonexistent/ffmpeg', PATH: '/nonexistent' }, staticPath: '/nonexistent/static-ffmpeg', platform: 'linux' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TandemError);
    expect((err as TandemError).code).toBe('ffmpeg-missing');
    expect((err as TandemError).message).toMatch(/TANDEM_FFMPEG.*ffmpeg-static.*PATH/s);
  });
});
