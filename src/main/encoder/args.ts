// ffmpeg argument building. PURE: no I/O, no process; every decision about ffmpeg flags lives here
// so tests can read the command line without running anything.
//
// One ffmpeg process encodes once and writes separate elementary streams to separate fds:
//   fd 1  H.264 Annex B (AUD before each AU, SPS/PPS in-band on each IDR)   (unless video is off)
//   fd 3  raw I420 video in        (pushed frames, with video)
//   fd 4  interleaved s16le PCM in (pushed PCM, with AAC or Opus)
//   fd 5  AAC-LC in ADTS           (when an output needs AAC)
//   fd 6  Opus in Ogg              (when an output needs Opus)
// The studio runs one audio-only process (PCM → AAC + Opus) and, on the ffmpeg video path, one
// video-only process per encoder group; `tandem publish` runs one process for both from an
// ffmpeg-native source.
// stdin is ignored (-nostdin), stderr carries errors (-loglevel error).

export type SourceSpec =
  | { kind: 'testsrc' }
  | { kind: 'file'; path: string; hasAudio: boolean }
  | { kind: 'device'; name: string }
  /** Frames and PCM pushed by the app (renderer compositor + mixer). */
  | { kind: 'raw' };

export type H264Profile = 'baseline' | 'main' | 'high';

export const VIDEO_ENCODERS = ['libx264', 'h264_nvenc', 'h264_qsv', 'h264_vaapi', 'h264_videotoolbox', 'h264_amf'] as const;
export type VideoEncoderName = (typeof VIDEO_ENCODERS)[number];

/**
 * Codec flags per encoder, all for low latency with no B-frames and a fixed GOP (IDR every gop
 * frames, with SPS/PPS in-band). Only libx264 is exercised on this project's CI (no GPU); the
 * hardware ones follow each encoder's documented options.
 */
export function videoCodecArgs(enc: VideoEncoderName, s: Pick<EncoderSettings, 'preset' | 'profile'>, gop: string): string[] {
  const fixedGop = ['-g', gop, '-keyint_min', gop, '-bf', '0'];
  switch (enc) {
    case 'libx264':
      return ['-c:v', 'libx264', '-preset', s.preset, '-tune', 'zerolatency', '-profile:v', s.profile, ...fixedGop, '-sc_threshold', '0'];
    case 'h264_nvenc':
      return ['-c:v', 'h264_nvenc', '-preset', 'p4', '-tune', 'll', '-zerolatency', '1', '-profile:v', s.profile, '-forced-idr', '1', '-no-scenecut', '1', ...fixedGop];
    case 'h264_qsv':
      return ['-c:v', 'h264_qsv', '-preset', 'veryfast', '-profile:v', s.profile, '-low_power', '0', '-idr_interval', '0', ...fixedGop];
    case 'h264_vaapi':
      return ['-c:v', 'h264_vaapi', '-profile:v', s.profile === 'baseline' ? 'constrained_baseline' : s.profile, ...fixedGop];
    case 'h264_videotoolbox':
      return ['-c:v', 'h264_videotoolbox', '-realtime', '1', '-profile:v', s.profile, '-allow_sw', '1', ...fixedGop];
    case 'h264_amf':
      return ['-c:v', 'h264_amf', '-usage', 'lowlatency', '-profile:v', s.profile === 'baseline' ? 'constrained_baseline' : s.profile, ...fixedGop];
  }
}

export interface EncoderSettings {
  width: number;
  height: number;
  fps: number;
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  /** GOP length in seconds (fixed GOP: -g = -keyint_min = round(keyintSec·fps)). */
  keyintSec: number;
  /** x264 preset. */
  preset: string;
  profile: H264Profile;
  /** The H.264 encoder: libx264 (default) or a hardware encoder ffmpeg offers. */
  videoEncoder?: VideoEncoderName;
  /** Encode video (default true). Off: an audio-only process. */
  video?: boolean;
  aac: boolean;
  opus: boolean;
  /** Audio sample rate of the encoded tracks and of pushed PCM. */
  sampleRate: 48000;
  channels: 1 | 2;
  /** Stop after this much media (native sources). */
  durationSec?: number;
  /** testsrc: burn in frame number and timecode with drawtext (needs libfreetype). */
  drawtext: boolean;
  /** Pace native file/testsrc sources at real time (-re). Benchmarks turn it off. */
  realtime: boolean;
  platform: NodeJS.Platform;
}

export const FD = { video: 1, videoIn: 3, audioIn: 4, aac: 5, opus: 6 } as const;

export interface EncoderCommand {
  args: string[];
  /** One entry per fd 0..n: whether the parent keeps a pipe to it. */
  stdio: ('pipe' | 'ignore')[];
  fds: { video?: number; videoIn?: number; audioIn?: number; aac?: number; opus?: number };
}

export interface DeviceInput {
  video: { format: string; input: string; options: string[] };
  audio?: { format: string; input: string; options: string[] };
  /** The audio comes from the video input (avfoundation "v:a", dshow "video=..:audio=.."). */
  audioInVideoInput: boolean;
}

/**
 * `device:NAME` → ffmpeg inputs. Linux: "/dev/videoN" (v4l2) or ":0.0[+x,y]" (x11grab), with an
 * optional "#PULSE_SOURCE" for audio. macOS: avfoundation's own "VIDEO[:AUDIO]". Windows: "desktop"
 * (gdigrab) or dshow's own "video=NAME[:audio=NAME]".
 */
export function deviceInput(name: string, s: Pick<EncoderSettings, 'width' | 'height' | 'fps' | 'platform'>): DeviceInput {
  const size = `${s.width}x${s.height}`;
  const rate = String(s.fps);
  if (s.platform === 'darwin') {
    return {
      video: { format: 'avfoundation', input: name, options: ['-framerate', rate, '-video_size', size] },
      audioInVideoInput: /:[^:]+$/.test(name) && !name.endsWith(':none'),
    };
  }
  if (s.platform === 'win32') {
    if (name === 'desktop') return { video: { format: 'gdigrab', input: 'desktop', options: ['-framerate', rate] }, audioInVideoInput: false };
    return { video: { format: 'dshow', input: name, options: ['-framerate', rate, '-video_size', size] }, audioInVideoInput: name.includes('audio=') };
  }
  const [video = '', audio] = name.split('#');
  const dev: DeviceInput = video.startsWith(':')
    ? { video: { format: 'x11grab', input: video, options: ['-framerate', rate, '-video_size', size] }, audioInVideoInput: false }
    : { video: { format: 'v4l2', input: video, options: ['-framerate', rate, '-video_size', size] }, audioInVideoInput: false };
  if (audio) dev.audio = { format: 'pulse', input: audio, options: [] };
  return dev;
}

const inputDuration = (s: EncoderSettings): string[] => (s.durationSec !== undefined ? ['-t', String(s.durationSec)] : []);

/** drawtext filter text: frame number and source timecode. ':' must be escaped inside the filter. */
export const TESTSRC_DRAWTEXT =
  "drawtext=text='%{n}  %{pts\\:hms}':fontsize=h/18:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8:x=w/40:y=h/12";

export function gopFrames(s: Pick<EncoderSettings, 'keyintSec' | 'fps'>): number {
  return Math.max(1, Math.round(s.keyintSec * s.fps));
}

export function buildEncoderArgs(source: SourceSpec, s: EncoderSettings): EncoderCommand {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats'];
  const withVideo = s.video ?? true;
  const withAudio = s.aac || s.opus;
  const stdio: ('pipe' | 'ignore')[] = ['ignore', withVideo ? 'pipe' : 'ignore', 'pipe', 'ignore', 'ignore', 'ignore', 'ignore'];
  const fds: EncoderCommand['fds'] = withVideo ? { video: FD.video } : {};
  const re = s.realtime ? ['-re'] : [];
  const size = `${s.width}x${s.height}`;
  const fit = `scale=${s.width}:${s.height}:force_original_aspect_ratio=decrease,pad=${s.width}:${s.height}:(ow-iw)/2:(oh-ih)/2,setsar=1`;
  let videoMap = '0:v:0';
  let audioMap = '1:a:0';
  const vf: string[] = [];
  const silence = (): void => {
    args.push('-f', 'lavfi', ...inputDuration(s), '-i', `anullsrc=r=${s.sampleRate}:cl=${s.channels === 2 ? 'stereo' : 'mono'}`);
  };

  switch (source.kind) {
    case 'testsrc':
      args.push(...re, '-f', 'lavfi', ...inputDuration(s), '-i', `testsrc2=size=${size}:rate=${s.fps}`);
      args.push(...re, '-f', 'lavfi', ...inputDuration(s), '-i', `sine=frequency=1000:sample_rate=${s.sampleRate}`);
      if (s.drawtext) vf.push(TESTSRC_DRAWTEXT);
      break;
    case 'file':
      args.push(...re, '-stream_loop', '-1', ...inputDuration(s), '-i', source.path);
      vf.push(fit, `fps=${s.fps}`);
      if (source.hasAudio) audioMap = '0:a:0';
      else silence();
      break;
    case 'device': {
      const d = deviceInput(source.name, s);
      args.push('-thread_queue_size', '512', ...d.video.options, '-f', d.video.format, ...inputDuration(s), '-i', d.video.input);
      if (d.audioInVideoInput) audioMap = '0:a:0';
      else if (d.audio) args.push('-thread_queue_size', '512', ...d.audio.options, '-f', d.audio.format, ...inputDuration(s), '-i', d.audio.input);
      else silence();
      vf.push(fit, `fps=${s.fps}`);
      break;
    }
    case 'raw': {
      // Separate processes for video and audio (the studio's case) do not couple. When one
      // process takes both, ffmpeg interleaves its two pipes by timestamp, so a slow input stalls
      // the other: video then arrives paced at exactly fps (pipeline/video-pacer.ts), and audio is
      // stamped with the wall clock so it never holds video back (measured, 5 s at 720p30: audio
      // at 40 % of real time let through 58/149 video frames with sample-count timestamps, 143/150
      // with wall-clock ones). Packet timestamps always come from the capture clock (timestamps.ts).
      let n = 0;
      if (withVideo) {
        stdio[FD.videoIn] = 'pipe';
        fds.videoIn = FD.videoIn;
        args.push('-thread_queue_size', '64', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', size, '-framerate', String(s.fps), '-i', `pipe:${FD.videoIn}`);
        videoMap = `${n++}:v:0`;
      }
      if (withAudio) {
        stdio[FD.audioIn] = 'pipe';
        fds.audioIn = FD.audioIn;
        if (withVideo) args.push('-use_wallclock_as_timestamps', '1');
        args.push('-thread_queue_size', '256', '-f', 's16le', '-ar', String(s.sampleRate), '-ac', String(s.channels), '-i', `pipe:${FD.audioIn}`);
        audioMap = `${n++}:a:0`;
      }
      break;
    }
  }
  if (withVideo) {
    vf.push('format=yuv420p');
    const enc = s.videoEncoder ?? 'libx264';
    // VAAPI encodes from GPU surfaces: upload after the software filters.
    if (enc === 'h264_vaapi') {
      args.unshift('-vaapi_device', '/dev/dri/renderD128');
      vf.splice(vf.length - 1, 1, 'format=nv12', 'hwupload');
    }
    const gop = String(gopFrames(s));
    const kbps = Math.round(s.videoBitrateKbps);
    args.push(
      '-map', videoMap, '-vf', vf.join(','),
      ...videoCodecArgs(enc, s, gop),
      ...(enc === 'h264_vaapi' ? [] : ['-pix_fmt', 'yuv420p']),
      '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`,
      '-fps_mode', 'passthrough',
      '-bsf:v', 'h264_metadata=aud=insert',
      '-flush_packets', '1', '-f', 'h264', `pipe:${FD.video}`,
    );
  }
  const audioOut = (codec: string[], fmt: string[], fd: number): void => {
    args.push('-map', audioMap, ...codec, '-b:a', `${Math.round(s.audioBitrateKbps)}k`, '-ar', String(s.sampleRate), '-ac', String(s.channels));
    args.push('-flush_packets', '1', ...fmt, `pipe:${fd}`);
    stdio[fd] = 'pipe';
  };
  if (s.aac) {
    audioOut(['-c:a', 'aac'], ['-f', 'adts'], FD.aac);
    fds.aac = FD.aac;
  }
  if (s.opus) {
    audioOut(['-c:a', 'libopus', '-frame_duration', '20', '-application', 'lowdelay'], ['-page_duration', '20000', '-f', 'ogg'], FD.opus);
    fds.opus = FD.opus;
  }
  while (stdio.length > 3 && stdio[stdio.length - 1] === 'ignore') stdio.pop();
  return { args, stdio, fds };
}

export type RecordFormat = 'matroska' | 'mp4' | 'flv';

/** Container for a recording path, from its extension (.mkv default, .mp4/.m4v/.mov, .flv). */
export function recordFormatFor(path: string): RecordFormat {
  const ext = path.toLowerCase().split('.').pop() ?? '';
  if (ext === 'mp4' || ext === 'm4v' || ext === 'mov') return 'mp4';
  if (ext === 'flv') return 'flv';
  return 'matroska';
}

/**
 * The recorder remuxes (-c copy) an FLV stream we write on its stdin into the file. Fragmented MP4
 * (empty moov + a fragment per keyframe) and Matroska with 1 s clusters stay readable up to the
 * last complete fragment/cluster if the process dies.
 */
export function buildRecorderArgs(path: string, format: RecordFormat): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-y', '-probesize', '32768', '-analyzeduration', '0', '-f', 'flv', '-i', 'pipe:0', '-map', '0', '-c', 'copy'];
  if (format === 'mp4') args.push('-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4');
  else if (format === 'matroska') args.push('-cluster_time_limit', '1000', '-f', 'matroska');
  else args.push('-f', 'flv');
  args.push('-flush_packets', '1', path);
  return args;
}
