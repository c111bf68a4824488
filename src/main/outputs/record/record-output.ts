// RecordOutput: a local file (.mkv default, fragmented .mp4, .flv). We write an FLV stream (our
// capture timestamps, in ms) into a second ffmpeg that remuxes it with -c copy; no re-encode. The
// file survives a crash: fragmented MP4 (empty moov, a fragment per keyframe) and Matroska (1 s
// clusters) are readable up to the last fragment, and if *we* die the recorder sees EOF on its
// stdin and finalises the file itself.
import { basename } from 'node:path';
import type { AacConfig, CodecConfig, EncodedPacket, H264Config } from '../../protocol/media';
import { buildAvcDecoderConfigurationRecord } from '../../protocol/h264/avcc';
import type { Output, OutputEvents } from '../output';
import { SendQueue } from '../queue';
import { type OutputState, type OutputStats, emptyStats } from '../../../shared/stats';
import { InvalidStateError, TandemError } from '../../../shared/errors';
import { TypedEmitter } from '../../util/emitter';
import { type RecordFormat, buildRecorderArgs, recordFormatFor } from '../../encoder/args';
import { ChildProc } from '../../encoder/process';
import { TAG_AUDIO, TAG_VIDEO, aacBody, avcFrame, avcSequenceHeader, flvHeader, flvTag } from './flv';

export interface RecordOutputOptions {
  path: string;
  ffmpegPath: string;
  id?: string;
  format?: RecordFormat;
  /** Queue drop threshold (a disk that cannot keep up drops non-key video like a network). */
  dropThresholdMs?: number;
  /** How long stop() waits for the recorder to finalise before killing it. */
  stopTimeoutMs?: number;
}

export class RecordOutput extends TypedEmitter<OutputEvents> implements Output {
  readonly id: string;
  readonly protocol = 'record' as const;
  readonly path: string;
  readonly format: RecordFormat;
  private readonly ffmpegPath: string;
  private readonly stopTimeoutMs: number;
  private readonly queue: SendQueue;
  private proc: ChildProc | undefined;
  private st: OutputStats;
  private baseDts: number | undefined;
  private draining = false;
  private waitingDrain = false;
  private hasAudio = false;
  private stopPromise: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastBytes = 0;
  private lastTick = 0;
  private startedAt = 0;
  private readonly disposers: (() => void)[] = [];

  constructor(o: RecordOutputOptions) {
    super();
    this.path = o.path;
    this.format = o.format ?? recordFormatFor(o.path);
    this.id = o.id ?? `record:${basename(o.path)}`;
    this.ffmpegPath = o.ffmpegPath;
    this.stopTimeoutMs = o.stopTimeoutMs ?? 10_000;
    this.queue = new SendQueue(o.dropThresholdMs === undefined ? {} : { dropThresholdMs: o.dropThresholdMs });
    this.st = emptyStats(this.id, 'record', o.path);
  }

  async start(configs: readonly CodecConfig[]): Promise<void> {
    if (this.proc) throw new InvalidStateError('record output already started', { target: this.path });
    const video = configs.find((c): c is H264Config => c.codec === 'h264');
    const audio = configs.find((c): c is AacConfig => c.codec === 'aac');
    if (!video) throw new TandemError('invalid-argument', 'recording needs an H.264 track', { target: this.path });
    this.hasAudio = audio !== undefined;
    this.setState('connecting');
    const proc = new ChildProc(this.ffmpegPath, buildRecorderArgs(this.path, this.format), { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    this.proc = proc;
    const stdin = proc.writable(0);
    if (stdin) {
      const onDrain = (): void => {
        this.waitingDrain = false;
        this.drain();
      };
      stdin.on('drain', onDrain);
      this.disposers.push(() => stdin.off('drain', onDrain));
    }
    void proc.exited.then((info) => this.onExit(info.code, proc));
    this.startedAt = performance.now();
    this.lastTick = this.startedAt;
    this.send(flvHeader(this.hasAudio, true));
    this.send(flvTag(TAG_VIDEO, 0, avcSequenceHeader(buildAvcDecoderConfigurationRecord(video.sps, video.pps))));
    if (audio) this.send(flvTag(TAG_AUDIO, 0, aacBody(0, audio.asc)));
    this.timer = setInterval(() => this.emit('stats', this.stats()), 1000);
    this.timer.unref?.();
    this.st.connectTimeMs = 0;
    this.setState('live');
  }

  write(packet: EncodedPacket): void {
    if (this.st.state !== 'live') return;
    if (packet.codec !== 'h264' && packet.codec !== 'aac') return;
    if (packet.codec === 'aac' && !this.hasAudio) return;
    if (this.baseDts === undefined) {
      if (packet.track !== 'video' || !packet.keyframe) return; // a file starts on a keyframe
      this.baseDts = packet.dts;
    }
    if (packet.dts < this.baseDts) return;
    this.queue.push(packet);
    this.st.framesDropped = this.queue.framesDropped;
    this.drain();
  }

  stats(): OutputStats {
    const now = performance.now();
    const dt = (now - this.lastTick) / 1000;
    if (dt >= 0.5) {
      this.st.bitrateKbps = Math.round(((this.st.bytesSent - this.lastBytes) * 8) / dt / 1000);
      this.lastBytes = this.st.bytesSent;
      this.lastTick = now;
    }
    this.st.queueMs = Math.round(this.queue.durationMs);
    this.st.congestion = this.queue.congestion;
    this.st.framesDropped = this.queue.framesDropped;
    return { ...this.st };
  }

  /** Flush what is queued, end the recorder's input and wait for it to finalise the file. */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    const proc = this.proc;
    if (!proc) {
      this.setState('stopped');
      this.cleanup();
      return;
    }
    if (this.st.state === 'live') this.setState('stopping');
    const deadline = setTimeout(() => proc.close(), this.stopTimeoutMs);
    try {
      await this.flushQueue(proc);
      proc.writable(0)?.end();
      await proc.exited;
    } finally {
      clearTimeout(deadline);
    }
    if (this.st.state !== 'failed') this.setState('stopped');
    this.cleanup();
  }

  private cleanup(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.disposers.splice(0)) d();
    this.queue.clear();
    this.removeAllListeners();
  }

  private async flushQueue(proc: ChildProc): Promise<void> {
    while (this.queue.length > 0 && proc.running) {
      this.drain();
      if (this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
    }
  }

  private drain(): void {
    const w = this.proc?.writable(0);
    if (!w || this.draining || this.waitingDrain) return;
    this.draining = true;
    try {
      for (let p = this.queue.shift(); p; p = this.queue.shift()) {
        const ts = (p.dts - this.baseDts!) / 1000;
        const tag = p.track === 'video' ? flvTag(TAG_VIDEO, ts, avcFrame(p.keyframe, (p.pts - p.dts) / 1000, p.data)) : flvTag(TAG_AUDIO, ts, aacBody(1, p.data));
        this.st.framesSent += p.track === 'video' ? 1 : 0;
        if (!this.send(tag)) {
          this.waitingDrain = true; // the 'drain' listener set in start() resumes
          break;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private send(bytes: Uint8Array): boolean {
    const w = this.proc?.writable(0);
    if (!w || w.destroyed) return true;
    this.st.bytesSent += bytes.length;
    return w.write(bytes);
  }

  private onExit(code: number | null, proc: ChildProc): void {
    if (this.st.state === 'stopping' || this.st.state === 'stopped') {
      if (code !== 0 && code !== null && this.st.state === 'stopping') this.fail(proc, code);
      return;
    }
    this.fail(proc, code);
  }

  private fail(proc: ChildProc, code: number | null): void {
    const last = proc.stderr.split('\n').filter(Boolean).pop();
    const err = new TandemError('encoder-failed', `recorder ffmpeg exited (code ${code ?? 'signal'})${last ? `: ${last}` : ''}`, { target: this.path });
    this.st.lastError = { code: err.code, message: err.message };
    this.setState('failed', err);
    this.emit('error', err);
  }

  private setState(state: OutputState, error?: TandemError): void {
    this.st.state = state;
    this.emit('state', state, error ? { error } : undefined);
  }
}
