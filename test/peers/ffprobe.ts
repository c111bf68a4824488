/**
 * Reading media back: files, and live streams such as rtmp://127.0.0.1:PORT/live/KEY on nginx-rtmp.
 *
 *   probeFile(pathOrUrl, opts?: { timeoutMs?: number }): Promise<ProbeResult>
 *       ffprobe -show_format -show_streams -of json; throws with ffprobe's stderr if it fails.
 *       ProbeResult = { formatName, durationSec, video?: {codec, width, height, profile?, frameRate},
 *                       audio?: {codec, sampleRate, channels}, streams: raw ffprobe streams }
 *
 *   countFrames(urlOrPath, opts?: {
 *     timeoutMs?: number;      // wall-clock limit (default 30 s): then ffmpeg is interrupted (SIGINT)
 *                              // and the figures so far are returned with timedOut: true
 *     durationMs?: number;     // stop after this much MEDIA time (ffmpeg -t)
 *     idleMs?: number;         // once frames flow, stop when NO frame was decoded for this long
 *                              // (default 3000). Needed for RTMP: ffmpeg's RTMP client does not
 *                              // exit when nginx-rtmp's publisher unpublishes, it just waits.
 *     inputArgs?: string[];    // extra args before -i (e.g. ['-rw_timeout', '5000000'])
 *   }): Promise<CountResult>
 *       Decodes with `ffmpeg -i URL ... -f null -` (see decode.ts) and reports
 *       CountResult = DecodeStats & { exitCode, endedBy, timedOut, stderrTail }, where endedBy is
 *       'exit' (ffmpeg ended by itself: end of file, -t reached, or an error: see exitCode),
 *       'idle' (frames stopped, see idleMs) or 'timeout' (timeoutMs; timedOut is true).
 *       For an RTMP play from nginx-rtmp, start it while the publisher is live (or just before:
 *       nginx-rtmp holds the player until a publisher arrives). A late player waits for the next
 *       keyframe, so expect fewer frames than were published.
 */
import { join } from 'node:path';
import { DecodeStatsParser, decodeOutputArgs, type DecodeStats } from './decode';
import { FFMPEG, FFPROBE, spawnPeer } from './proc';

export interface ProbeResult {
  formatName: string;
  durationSec: number;
  video?: { codec: string; width: number; height: number; profile?: string; frameRate: number };
  audio?: { codec: string; sampleRate: number; channels: number };
  streams: Array<Record<string, unknown>>;
}

export interface CountOptions {
  timeoutMs?: number;
  durationMs?: number;
  idleMs?: number;
  inputArgs?: string[];
}

export type CountResult = DecodeStats & {
  exitCode: number | null;
  endedBy: 'exit' | 'idle' | 'timeout';
  timedOut: boolean;
  stderrTail: string;
};

function ratio(s: unknown): number {
  if (typeof s !== 'string') return NaN;
  const [a, b] = s.split('/').map(Number);
  if (a === undefined) return NaN;
  return b ? a / b : a;
}

export async function probeFile(pathOrUrl: string, opts: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  const proc = spawnPeer('ffprobe', FFPROBE, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', pathOrUrl]);
  let out = '';
  proc.child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const timer = setTimeout(() => void proc.kill(), opts.timeoutMs ?? 20_000);
  const { code } = await proc.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`ffprobe ${pathOrUrl} failed (exit ${code}): ${proc.logTail(2000)}`);
  const json = JSON.parse(out) as { format?: Record<string, unknown>; streams?: Array<Record<string, unknown>> };
  const streams = json.streams ?? [];
  const v = streams.find((s) => s['codec_type'] === 'video');
  const a = streams.find((s) => s['codec_type'] === 'audio');
  const result: ProbeResult = {
    formatName: String(json.format?.['format_name'] ?? ''),
    durationSec: Number(json.format?.['duration'] ?? NaN),
    streams,
  };
  if (v) {
    result.video = {
      codec: String(v['codec_name']),
      width: Number(v['width']),
      height: Number(v['height']),
      frameRate: ratio(v['avg_frame_rate']) || ratio(v['r_frame_rate']),
    };
    if (typeof v['profile'] === 'string') result.video.profile = v['profile'];
  }
  if (a) result.audio = { codec: String(a['codec_name']), sampleRate: Number(a['sample_rate']), channels: Number(a['channels']) };
  return result;
}

export async function countFrames(urlOrPath: string, opts: CountOptions = {}): Promise<CountResult> {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', ...(opts.inputArgs ?? []), '-i', urlOrPath];
  if (opts.durationMs !== undefined) args.push('-t', (opts.durationMs / 1000).toFixed(3));
  args.push(...decodeOutputArgs());
  const proc = spawnPeer('ffmpeg-count', FFMPEG, args, { cwd: join('/') });
  const parser = new DecodeStatsParser();
  const idleMs = opts.idleMs ?? 3000;
  let endedBy = 'exit' as CountResult['endedBy'];
  let lastCount = 0;
  let lastChange = Date.now();
  proc.onLine((l) => {
    parser.feed(l);
    const st = parser.stats();
    const count = st.frames + st.audioFrames;
    if (count !== lastCount) {
      lastCount = count;
      lastChange = Date.now();
    }
  });
  const end = (why: CountResult['endedBy']): void => {
    if (endedBy !== 'exit' || !proc.isAlive()) return;
    endedBy = why;
    void proc.stop({ signal: 'SIGINT', timeoutMs: 2000 });
  };
  const timer = setTimeout(() => end('timeout'), opts.timeoutMs ?? 30_000);
  const idleTimer = setInterval(() => {
    if (lastCount > 0 && Date.now() - lastChange > idleMs) end('idle');
  }, Math.min(250, idleMs));
  const { code } = await proc.exited;
  clearTimeout(timer);
  clearInterval(idleTimer);
  return { ...parser.stats(), exitCode: code, endedBy, timedOut: endedBy === 'timeout', stderrTail: proc.logTail(3000) };
}
