// The Encoder: one ffmpeg process — a video encode and/or AAC and/or Opus — EncodedPackets out on
// the capture clock. Sources: ffmpeg-native (testsrc, file, device) or raw frames/PCM pushed by the
// app. Timestamp rules: see timestamps.ts. The ffmpeg CLI cannot force a keyframe or change its
// bitrate while it runs, so an ffmpeg video encode has a short fixed GOP (args.ts) and the
// pipeline (pipeline/ffmpeg-backend.ts) says so to the encoder group.
import type { Readable, Writable } from 'node:stream';
import type { AacConfig, CodecConfig, EncodedPacket, H264Config, OpusConfig } from '../protocol/media';
import { audioPacket, videoPacket } from '../protocol/media';
import { parameterSetsOf, sameNalus, withParameterSets } from '../protocol/h264/access-unit';
import { parseSps } from '../protocol/h264/sps';
import { adtsToAudioSpecificConfig } from '../protocol/aac/adts';
import { TandemError } from '../../shared/errors';
import { TypedEmitter } from '../util/emitter';
import { OUTPUT_DEFAULTS } from '../../shared/defaults';
import { type EncoderSettings, type SourceSpec, buildEncoderArgs } from './args';
import { AdtsFramer, AnnexBFramer, OggOpusFramer, type AccessUnit } from './framing';
import { ChildProc } from './process';
import { AudioClock, VideoClock, nowUs } from './timestamps';

/** ffmpeg's native AAC encoder primes with 1024 samples (its initial_padding). */
export const AAC_ENCODER_DELAY = 1024;
export const AAC_FRAME = 1024;

export type EncoderExitReason = 'stopped' | 'ended' | 'failed';

export interface EncoderEvents {
  packet: (packet: EncodedPacket) => void;
  /** A track's config became known or changed (e.g. new SPS). */
  config: (config: CodecConfig) => void;
  error: (error: TandemError) => void;
  exit: (reason: EncoderExitReason, detail: string) => void;
}

export interface EncoderOptions extends Partial<EncoderSettings> {
  ffmpegPath: string;
  source: SourceSpec;
  /** Capture clock, µs. Default: wall clock (performance.timeOrigin + now()). */
  clock?: () => number;
}

export interface EncoderStats {
  videoFrames: number;
  keyframes: number;
  audioPackets: { aac: number; opus: number };
  /** Wall clock minus pts of the newest video frame, ms (native sources: encode + pipe latency). */
  lagMs: number;
  /** Timestamps nudged to stay monotonic. */
  timestampCorrections: number;
}

export const DEFAULT_SETTINGS: EncoderSettings = {
  ...OUTPUT_DEFAULTS,
  preset: 'veryfast',
  profile: 'high',
  aac: true,
  opus: false,
  sampleRate: 48000,
  channels: 2,
  drawtext: false,
  realtime: true,
  platform: process.platform,
};

export class Encoder extends TypedEmitter<EncoderEvents> {
  readonly settings: EncoderSettings;
  readonly source: SourceSpec;
  private readonly ffmpegPath: string;
  private readonly clock: () => number;
  private proc: ChildProc | undefined;
  private readonly disposers: (() => void)[] = [];
  private readonly video = new AnnexBFramer();
  private readonly adts = new AdtsFramer();
  private readonly ogg = new OggOpusFramer();
  private readonly videoClock: VideoClock;
  private readonly audioClock: AudioClock;
  private h264: H264Config | undefined;
  private aac: AacConfig | undefined;
  private opus: OpusConfig | undefined;
  private stopping = false;
  private closed = false;
  private aacCount = 0;
  private opusSamples = 0;
  private readonly st: EncoderStats = { videoFrames: 0, keyframes: 0, audioPackets: { aac: 0, opus: 0 }, lagMs: 0, timestampCorrections: 0 };

  constructor(opts: EncoderOptions) {
    super();
    const { ffmpegPath, source, clock, ...rest } = opts;
    this.settings = { ...DEFAULT_SETTINGS, ...rest };
    this.source = source;
    this.ffmpegPath = ffmpegPath;
    this.clock = clock ?? nowUs;
    this.videoClock = new VideoClock(this.settings.fps);
    this.audioClock = new AudioClock(this.settings.sampleRate);
  }

  /** The ffmpeg argument list this encoder runs (for logs and tests). */
  command(): string[] {
    return buildEncoderArgs(this.source, this.settings).args;
  }

  get configs(): CodecConfig[] {
    return [this.h264, this.aac, this.opus].filter((c): c is CodecConfig => c !== undefined);
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  start(): void {
    if (this.proc || this.closed) throw new TandemError('invalid-state', 'encoder already started');
    const cmd = buildEncoderArgs(this.source, this.settings);
    const proc = new ChildProc(this.ffmpegPath, cmd.args, { stdio: cmd.stdio, detached: true });
    this.proc = proc;
    if (this.source.kind !== 'raw') {
      const anchor = this.clock();
      this.videoClock.setAnchor(anchor);
      this.audioClock.setAnchor(anchor);
    }
    if (cmd.fds.video !== undefined) {
      this.pipe(proc.readable(cmd.fds.video), (c) => this.video.push(c).forEach((au) => this.onAccessUnit(au)), () =>
        this.video.flush().forEach((au) => this.onAccessUnit(au)),
      );
    }
    if (cmd.fds.aac !== undefined) this.pipe(proc.readable(cmd.fds.aac), (c) => this.onAdts(c));
    if (cmd.fds.opus !== undefined) this.pipe(proc.readable(cmd.fds.opus), (c) => this.onOgg(c));
    void proc.exited.then((info) => {
      if (this.closed) return;
      const detail = proc.error ? proc.error.message : `code ${info.code ?? info.signal}`;
      if (this.stopping) this.emit('exit', 'stopped', detail);
      else if (info.code === 0 && this.settings.durationSec !== undefined) this.emit('exit', 'ended', detail);
      else {
        const last = proc.stderr.split('\n').filter(Boolean).pop() ?? '';
        const err = new TandemError('encoder-failed', `ffmpeg exited (${detail})${last ? `: ${last}` : ''}`);
        this.emit('error', err);
        this.emit('exit', 'failed', err.message);
      }
    });
  }

  /** Raw mode: one I420 frame (width·height·3/2 bytes) captured at `captureTimeUs`. False = back off. */
  pushVideoFrame(i420: Uint8Array, captureTimeUs: number): boolean {
    const s = this.settings;
    const expected = (s.width * s.height * 3) / 2;
    if (i420.byteLength !== expected) throw new TandemError('invalid-argument', `I420 frame is ${i420.byteLength} bytes, expected ${expected}`);
    const w = this.rawPipe(3);
    this.videoClock.frameIn(captureTimeUs);
    return w.write(Buffer.from(i420));
  }

  /** Raw mode: interleaved s16 PCM (channels × frames) whose first sample was captured at `captureTimeUs`. */
  pushAudio(pcm: Int16Array, captureTimeUs: number): boolean {
    const w = this.rawPipe(4);
    this.audioClock.pcmIn(pcm.length / this.settings.channels, captureTimeUs);
    const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    return w.write(Buffer.from(bytes));
  }

  /** Raw mode: bytes of pushed video still waiting in the pipe to ffmpeg. */
  get videoBacklogBytes(): number {
    return this.proc?.writable(3)?.writableLength ?? 0;
  }

  /** Resolves when the raw input pipes can take more data. */
  async drained(): Promise<void> {
    const pipes = [3, 4].map((fd) => this.proc?.writable(fd)).filter((w) => w && w.writableNeedDrain);
    await Promise.all(pipes.map((w) => new Promise<void>((r) => w!.once('drain', () => r()))));
  }

  stats(): EncoderStats {
    return { ...this.st, audioPackets: { ...this.st.audioPackets }, timestampCorrections: this.videoClock.corrections };
  }

  /** Finish: end the inputs (raw) or SIGINT ffmpeg (native), wait for the last packets. */
  async stop(graceMs = 3000): Promise<void> {
    const proc = this.proc;
    if (!proc || this.stopping) return void (await proc?.exited);
    this.stopping = true;
    if (this.source.kind === 'raw') {
      proc.writable(3)?.end();
      proc.writable(4)?.end();
      const t = setTimeout(() => void proc.stop(graceMs), graceMs);
      await proc.exited;
      clearTimeout(t);
    } else await proc.stop(graceMs);
  }

  /** Kill ffmpeg (if running) and drop every listener. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopping = true;
    for (const d of this.disposers.splice(0)) d();
    this.proc?.close();
    this.removeAllListeners();
  }

  private rawPipe(fd: number): Writable {
    if (this.source.kind !== 'raw') throw new TandemError('invalid-state', 'this encoder reads an ffmpeg source; frames cannot be pushed');
    const w = this.proc?.writable(fd);
    if (!w || this.stopping) throw new TandemError('invalid-state', 'encoder is not running');
    return w;
  }

  private pipe(stream: Readable | null, onData: (chunk: Uint8Array) => void, onEnd?: () => void): void {
    if (!stream) return;
    const data = (c: Buffer): void => {
      try {
        onData(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
      } catch (err) {
        this.emit('error', err instanceof TandemError ? err : new TandemError('encoder-failed', String(err), { cause: err }));
      }
    };
    stream.on('data', data);
    this.disposers.push(() => stream.off('data', data));
    if (onEnd) {
      stream.once('end', onEnd);
      this.disposers.push(() => stream.off('end', onEnd));
    }
  }

  private onAccessUnit(au: AccessUnit): void {
    const sets = parameterSetsOf(au.nalus);
    if (sets && (!this.h264 || !sameNalus(this.h264.sps, sets.sps) || !sameNalus(this.h264.pps, sets.pps))) {
      const info = parseSps(sets.sps[0]!);
      this.h264 = { codec: 'h264', width: info.width, height: info.height, fps: this.settings.fps, sps: sets.sps, pps: sets.pps };
      this.onConfig(this.h264);
    }
    const pts = this.videoClock.frameOut();
    if (!this.h264) return; // nothing decodable before the first SPS/PPS
    this.st.videoFrames++;
    if (au.keyframe) this.st.keyframes++;
    this.st.lagMs = (this.clock() - pts) / 1000;
    const nalus = au.keyframe ? withParameterSets(au.nalus, this.h264.sps, this.h264.pps) : au.nalus;
    this.emit('packet', videoPacket('h264', pts, pts, au.keyframe, nalus));
  }

  private onAdts(chunk: Uint8Array): void {
    for (const f of this.adts.push(chunk)) {
      if (!this.aac) {
        this.aac = { codec: 'aac', sampleRate: f.header.sampleRate, channels: f.header.channelConfiguration, asc: adtsToAudioSpecificConfig(f.header) };
        this.onConfig(this.aac);
      }
      const pts = this.audioClock.packetTime('aac', this.aacCount - AAC_ENCODER_DELAY);
      this.aacCount += f.header.rawDataBlocks * AAC_FRAME;
      this.st.audioPackets.aac++;
      this.emit('packet', audioPacket('aac', pts, f.payload));
    }
  }

  private onOgg(chunk: Uint8Array): void {
    const out = this.ogg.push(chunk);
    if (out.head && out.headBytes) {
      this.opus = { codec: 'opus', sampleRate: 48000, channels: out.head.channels, head: out.headBytes };
      this.onConfig(this.opus);
    }
    const preSkip = this.ogg.head?.preSkip ?? 0;
    for (const p of out.packets) {
      const pts = this.audioClock.packetTime('opus', this.opusSamples - preSkip);
      this.opusSamples += p.samples;
      this.st.audioPackets.opus++;
      this.emit('packet', audioPacket('opus', pts, p.data));
    }
  }

  private onConfig(c: CodecConfig): void {
    this.emit('config', c);
  }
}

