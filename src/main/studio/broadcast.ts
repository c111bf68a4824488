// Broadcast: what the Studio is sending right now. Owns the LiveSession (created on the first
// output, closed after the last), the recorder and one output per live destination, and turns
// their events into destination states and errors the UI can show.
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { EngineStats, Settings } from '../../shared/api';
import { TandemError, toErrorInfo, type ErrorInfo } from '../../shared/errors';
import type { MediaMessage } from '../../shared/media-wire';
import type { OutputState, OutputStats } from '../../shared/stats';
import { resolveFfmpeg } from '../encoder/ffmpeg-path';
import { CODECS, createOutput, type OutputSpec } from '../outputs/factory';
import type { Output } from '../outputs/output';
import { LiveSession } from './live-session';

export const RECORD_ID = 'record';

export interface BroadcastEvents {
  /** An output changed state (destination id, or RECORD_ID). */
  onState(id: string, state: OutputState, error?: ErrorInfo, retry?: { attempt?: number; delayMs?: number }): void;
  onStats(stats: OutputStats[]): void;
}

export function recordingPath(settings: Settings, now = new Date()): string {
  const dir = settings.recordFolder || join(homedir(), 'Videos');
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
  return join(dir, `Tandem ${stamp}.${settings.recordFormat}`);
}

export class Broadcast {
  private session: LiveSession | undefined;
  private starting: Promise<LiveSession> | undefined;
  private readonly offs = new Map<string, (() => void)[]>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly settings: () => Settings,
    private readonly events: BroadcastEvents,
  ) {}

  get active(): boolean {
    return this.session !== undefined || this.starting !== undefined;
  }

  has(id: string): boolean {
    return this.offs.has(id);
  }

  /** Raw media from the renderer. */
  push(msg: MediaMessage): void {
    this.session?.push(msg);
  }

  /** Adds an output (starting the encoder first if needed). Rejects if ffmpeg is missing. */
  /**
   * Adds an output (starting the encoder first if needed). `whipLikely` picks constrained
   * Baseline for the one shared encode when a WebRTC destination may join (what every WebRTC
   * receiver decodes); otherwise High. Rejects if ffmpeg is missing.
   */
  async add(id: string, spec: OutputSpec, whipLikely = spec.kind === 'whip'): Promise<void> {
    if (this.offs.has(id)) throw new TandemError('invalid-state', `'${id}' is already running`);
    this.offs.set(id, []);
    try {
      const session = await this.ensureSession(whipLikely);
      const st = this.settings();
      const output = createOutput({ ...spec, id }, { ffmpegPath: session.ffmpegPath, videoBitrateKbps: st.videoBitrateKbps, audioBitrateKbps: st.audioBitrateKbps });
      this.offs.set(id, this.watch(id, output));
      session.add(output, { codecs: CODECS[spec.kind] });
    } catch (err) {
      this.offs.delete(id);
      await this.maybeEnd();
      throw err;
    }
  }

  /** Stops one output (its goodbye, the file finalised); ends the session after the last. */
  async remove(id: string): Promise<void> {
    const offs = this.offs.get(id);
    if (!offs) return;
    this.offs.delete(id);
    await this.session?.remove(id);
    for (const off of offs) off();
    this.events.onState(id, 'stopped');
    await this.maybeEnd();
  }

  stats(): OutputStats[] {
    return this.session?.stats() ?? [];
  }

  engineStats(): Omit<EngineStats, 'cpuPercent'> {
    const s = this.session;
    if (!s) return { mediaIn: { videoFrames: 0, videoDropped: 0, audioChunks: 0, wrongSize: 0, bytes: 0, repeated: 0, superseded: 0 }, encoder: null };
    const e = s.encoder.stats();
    return {
      mediaIn: { ...s.mediaIn, repeated: s.pacer.stats.repeated, superseded: s.pacer.stats.superseded },
      encoder: { videoFrames: e.videoFrames, keyframes: e.keyframes, lagMs: e.lagMs, aacPackets: e.audioPackets.aac, opusPackets: e.audioPackets.opus },
    };
  }

  async close(): Promise<void> {
    for (const id of [...this.offs.keys()]) await this.remove(id);
    await this.session?.close();
    this.session = undefined;
  }

  private watch(id: string, output: Output): (() => void)[] {
    return [
      output.on('state', (state, detail) => {
        const retry: { attempt?: number; delayMs?: number } = {};
        if (detail?.attempt !== undefined) retry.attempt = detail.attempt;
        if (detail?.delayMs !== undefined) retry.delayMs = detail.delayMs;
        this.events.onState(id, state, detail?.error ? toErrorInfo(detail.error) : undefined, retry);
      }),
      output.on('error', (e) => this.events.onState(id, 'failed', toErrorInfo(e))),
    ];
  }

  private async ensureSession(baseline: boolean): Promise<LiveSession> {
    if (this.session) return this.session;
    this.starting ??= (async () => {
      const ff = await resolveFfmpeg();
      const s = new LiveSession({
        ffmpegPath: ff.path,
        settings: this.settings(),
        profile: baseline ? 'baseline' : 'high',
        onError: (id, e) => {
          if (id) this.events.onState(id, 'failed', toErrorInfo(e));
          else for (const oid of this.offs.keys()) this.events.onState(oid, 'failed', toErrorInfo(e));
        },
      });
      this.session = s;
      this.timer = setInterval(() => this.events.onStats(this.stats()), 1000);
      return s;
    })();
    try {
      return await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  private async maybeEnd(): Promise<void> {
    if (this.offs.size > 0 || !this.session) return;
    const s = this.session;
    this.session = undefined;
    clearInterval(this.timer);
    await s.close();
    this.events.onStats([]);
  }
}
