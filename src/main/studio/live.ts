// What the studio is sending right now: the MediaSession (created with the first output, closed
// after the last), one output per live destination and the recording, and the renderer's media
// channels. It turns output states into what the Studio shows, and follows states only: an
// output that reconnects stays in the session; only a terminal failure takes it out.
// See docs/ARCHITECTURE.md "Media path" and "Outputs".
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { EngineStats, Settings, VideoState, VideoSupport } from '../../shared/api';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors';
import type { MediaChannel, MediaControl } from '../../shared/media-wire';
import type { OutputState, OutputStats } from '../../shared/stats';
import { resolveFfmpeg } from '../encoder/ffmpeg-path';
import type { VideoEncoderName } from '../encoder/args';
import { CODECS, createOutput, type OutputSpec } from '../outputs/factory';
import type { Output, StateDetail } from '../outputs/output';
import { MediaSession } from '../pipeline/media-session';
import type { VideoPath } from '../pipeline/encoder-group';

export const RECORD_ID = 'record';

/** No video from the renderer for this long, while capturing, shows as "no video from the studio". */
const VIDEO_MISSING_MS = 2000;

export function recordingPath(settings: Settings, now = new Date()): string {
  const dir = settings.recordFolder || join(homedir(), 'Videos');
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
  return join(dir, `Tandem ${stamp}.${settings.recordFormat}`);
}

export interface LiveEvents {
  /** An output changed state (destination id, or RECORD_ID). */
  onState(id: string, state: OutputState, error: ErrorInfo | undefined, retry: { attempt?: number; delayMs?: number }): void;
  onStats(stats: OutputStats[]): void;
  /** The video path or the renderer's input changed. */
  onVideo(): void;
}

export interface AddSpec {
  spec: OutputSpec;
  /** The output's own video bitrate (its encoder group); the settings' when undefined. */
  videoBitrateKbps: number | undefined;
  /** Whether a WebRTC destination may join the encode (constrained Baseline then). */
  whipLikely: boolean;
}

export class Live {
  private session: MediaSession | undefined;
  private starting: Promise<MediaSession> | undefined;
  private readonly outputs = new Map<string, Output>();
  private readonly removing = new Set<string>();
  /** Outputs waiting for the session to start. */
  private readonly pending = new Set<string>();
  private readonly channels = new Set<(msg: MediaControl) => void>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private support: VideoSupport | undefined;
  private inputProblem: string | undefined;
  private lastInput: VideoState['input'] = 'idle';

  constructor(
    private readonly settings: () => Settings,
    private readonly events: LiveEvents,
  ) {}

  get active(): boolean {
    return this.session !== undefined || this.starting !== undefined || this.pending.size > 0;
  }

  has(id: string): boolean {
    return this.pending.has(id) || (this.outputs.has(id) && !this.removing.has(id));
  }

  output(id: string): Output | undefined {
    return this.outputs.get(id);
  }

  /** Adds an output (starting the session first if needed). Rejects if ffmpeg is missing. */
  async add(id: string, a: AddSpec): Promise<void> {
    if (this.outputs.has(id) || this.pending.has(id)) return;
    // Stopped while the session was still starting: remove() takes it out of `pending`.
    this.pending.add(id);
    let session: MediaSession;
    try {
      session = await this.ensureSession(a.whipLikely);
    } finally {
      if (!this.pending.delete(id)) {
        this.events.onState(id, 'stopped', undefined, {});
        await this.maybeEnd();
      } else this.pending.add(id);
    }
    if (!this.pending.delete(id)) return;
    const st = this.settings();
    const output = createOutput({ ...a.spec, id }, { ffmpegPath: session.ffmpegPath, videoBitrateKbps: a.videoBitrateKbps ?? st.videoBitrateKbps, audioBitrateKbps: st.audioBitrateKbps });
    this.outputs.set(id, output);
    session.addOutput(id, output, { codecs: CODECS[a.spec.kind], ...(a.videoBitrateKbps === undefined ? {} : { videoBitrateKbps: a.videoBitrateKbps }) });
  }

  /** Stops one output (its goodbye, the file finalised); ends the session after the last. */
  async remove(id: string): Promise<void> {
    if (this.pending.delete(id)) {
      this.events.onState(id, 'stopping', undefined, {});
      return; // add() finishes the job when the session is up
    }
    const out = this.outputs.get(id);
    if (!out || this.removing.has(id)) return;
    this.removing.add(id);
    const wasFailed = out.state === 'failed';
    // An output still waiting for its configs has not said 'connecting' itself: the row has.
    if (out.state === 'idle') this.events.onState(id, 'stopping', undefined, {});
    try {
      await this.session?.removeOutput(id); // its 'stopping' and 'stopped' reach the Studio on the way
    } finally {
      this.removing.delete(id);
      this.outputs.delete(id);
    }
    if (!wasFailed && out.state !== 'stopped') this.events.onState(id, 'stopped', undefined, {});
    await this.maybeEnd();
  }

  /** A reconnecting output: try now instead of waiting. */
  retryNow(id: string): boolean {
    return this.outputs.get(id)?.retryNow() ?? false;
  }

  stats(): OutputStats[] {
    return this.session?.stats() ?? [];
  }

  engineStats(): Omit<EngineStats, 'cpuPercent'> {
    const s = this.session;
    const zero = { videoFrames: 0, videoDropped: 0, chunks: 0, audioChunks: 0, wrongSize: 0, bytes: 0, repeated: 0, superseded: 0 };
    const m = process.memoryUsage();
    const memory = { rssMb: round1(m.rss / 1048576), heapUsedMb: round1(m.heapUsed / 1048576) };
    if (!s) return { mediaIn: zero, encoder: null, groups: [], memory };
    const groups = s.groupStats();
    const frames = groups.reduce((n, g) => n + g.frames, 0);
    const keyframes = groups.reduce((n, g) => n + g.keyframes, 0);
    return { mediaIn: { ...s.mediaIn }, encoder: { videoFrames: frames, keyframes, lagMs: Math.max(0, ...groups.map((g) => g.encodeMsP50 ?? 0)), aacPackets: 0, opusPackets: 0 }, groups, memory };
  }

  // ── video path and the renderer's media channels ────────────────────────────────────────────

  /** The renderer said whether WebCodecs H.264 works there. */
  setSupport(s: VideoSupport): void {
    this.support = s;
    this.session?.setVideoPath(this.videoPath().path);
    this.events.onVideo();
  }

  get videoSupport(): VideoSupport | undefined {
    return this.support;
  }

  /** The path a session uses with the current settings and the renderer's report, and why. */
  videoPath(): { path: VideoPath; reason: string } {
    const s = this.settings();
    if (s.encoder !== 'webcodecs') return { path: 'ffmpeg', reason: `${s.encoder} (ffmpeg) is selected in Settings` };
    const v = this.support;
    if (v && !v.webcodecs) return { path: 'ffmpeg', reason: `WebCodecs H.264 is not available in the studio window (${v.reason ?? 'no reason given'}), so ffmpeg (libx264) encodes from raw frames` };
    return { path: 'webcodecs', reason: v?.codec ? `WebCodecs ${v.codec} in the studio window` : 'WebCodecs in the studio window' };
  }

  videoState(): VideoState {
    const { path, reason } = this.videoPath();
    const out: VideoState = { path: this.session?.videoPath ?? path, reason, input: this.inputState() };
    if (this.inputProblem) out.inputProblem = this.inputProblem;
    return out;
  }

  /** A renderer connected its media channel: it learns at once what to encode. */
  attachChannel(send: (msg: MediaControl) => void): MediaChannel {
    this.channels.add(send);
    if (this.session) send(this.session.encodersMessage());
    return {
      push: (msg) => this.session?.push(msg),
      closed: (problem) => {
        this.channels.delete(send);
        if (problem) {
          this.inputProblem = `the studio's media channel was closed: ${problem}`;
          this.events.onVideo();
        }
      },
    };
  }

  async close(): Promise<void> {
    for (const id of [...this.outputs.keys()]) await this.remove(id);
    await this.session?.close();
    this.session = undefined;
    clearInterval(this.timer);
  }

  // ───────────────────────────────────────────────────────────────────────────────────────────

  private inputState(): VideoState['input'] {
    const s = this.session;
    if (!s) return 'idle';
    return s.videoSilenceMs() > VIDEO_MISSING_MS ? 'missing' : 'ok';
  }

  private control(msg: MediaControl): void {
    for (const send of this.channels) send(msg);
  }

  private async ensureSession(baseline: boolean): Promise<MediaSession> {
    if (this.session) return this.session;
    this.starting ??= (async () => {
      const ff = await resolveFfmpeg();
      const st = this.settings();
      const { path } = this.videoPath();
      const encoder: VideoEncoderName = st.encoder === 'webcodecs' ? 'libx264' : st.encoder;
      const s = new MediaSession({
        ffmpegPath: ff.path,
        video: { width: st.width, height: st.height, fps: st.fps, videoBitrateKbps: st.videoBitrateKbps, audioBitrateKbps: st.audioBitrateKbps, keyintSec: st.keyintSec, profile: baseline ? 'baseline' : 'high', encoder },
        source: { kind: 'studio', path, control: (m) => this.control(m) },
      });
      s.on('outputState', (id, state, detail) => this.onOutputState(id, state, detail));
      s.on('outputError', (id, e) => this.onOutputFailed(id, toErrorInfo(e)));
      s.on('encoderError', (e) => {
        for (const id of this.outputs.keys()) this.onOutputFailed(id, toErrorInfo(e));
      });
      this.inputProblem = undefined;
      this.session = s;
      this.timer = setInterval(() => this.tick(), 1000);
      return s;
    })();
    try {
      return await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  private tick(): void {
    this.events.onStats(this.stats());
    const input = this.inputState();
    if (input !== this.lastInput) {
      this.lastInput = input;
      this.events.onVideo();
    }
  }

  private onOutputState(id: string, state: OutputState, detail: StateDetail): void {
    if (!this.outputs.has(id)) return;
    const retry: { attempt?: number; delayMs?: number } = {};
    if (detail.attempt !== undefined) retry.attempt = detail.attempt;
    if (detail.delayMs !== undefined) retry.delayMs = detail.delayMs;
    this.events.onState(id, state, detail.error ? toErrorInfo(detail.error) : undefined, retry);
  }

  /** Terminal: the output leaves the session (its group may go too); its row keeps the reason. */
  private onOutputFailed(id: string, error: ErrorInfo): void {
    if (!this.outputs.has(id)) return;
    this.events.onState(id, 'failed', error, {});
    this.outputs.delete(id);
    void this.session?.removeOutput(id).then(() => this.maybeEnd());
  }

  private async maybeEnd(): Promise<void> {
    if (this.outputs.size > 0 || !this.session) return;
    const s = this.session;
    this.session = undefined;
    clearInterval(this.timer);
    this.lastInput = 'idle';
    await s.close();
    this.events.onStats([]);
    this.events.onVideo();
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
