// RecordOutput: a local file (.mkv default, fragmented .mp4, .flv), on the output base. We write
// FLV (our capture timestamps, in ms) from the one FLV muxer (protocol/flv/mux.ts, the same tags
// RTMP sends) into a second ffmpeg that remuxes it with -c copy; no re-encode. The file survives a
// crash: fragmented MP4 (empty moov, a fragment per keyframe) and Matroska (1 s clusters) are
// readable up to the last fragment, and if *we* die the recorder sees EOF on its stdin and
// finalises the file itself. A recorder that dies is final: a file cannot be reconnected.
import { basename } from 'node:path';
import type { CodecConfig } from '../../protocol/media';
import { FlvMuxer, flvTracks } from '../../protocol/flv/mux';
import { encodeFlvTag, flvHeader, FlvTagType, type FlvTag } from '../../protocol/flv/file';
import { TandemError } from '../../../shared/errors';
import { type RecordFormat, buildRecorderArgs, recordFormatFor } from '../../encoder/args';
import { ChildProc } from '../../encoder/process';
import { OutputBase, type CloseReason } from '../base';

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

interface Recorder {
  proc: ChildProc;
  mux: FlvMuxer;
  waitingDrain: boolean;
  off: () => void;
}

export class RecordOutput extends OutputBase<Recorder> {
  readonly path: string;
  readonly format: RecordFormat;

  constructor(private readonly o: RecordOutputOptions) {
    super({
      id: o.id ?? `record:${basename(o.path)}`,
      protocol: 'record',
      target: o.path,
      codecs: ['h264', 'aac'],
      reconnect: { enabled: false },
      ...(o.dropThresholdMs === undefined ? {} : { dropThresholdMs: o.dropThresholdMs }),
    });
    this.path = o.path;
    this.format = o.format ?? recordFormatFor(o.path);
  }

  protected connect(): Promise<Recorder> {
    const tracks = flvTracks(this.configs);
    if (!tracks.video) return Promise.reject(new TandemError('invalid-argument', 'recording needs an H.264 track', { target: this.path }));
    const proc = new ChildProc(this.o.ffmpegPath, buildRecorderArgs(this.path, this.format), { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    const r: Recorder = { proc, mux: new FlvMuxer(tracks), waitingDrain: false, off: () => undefined };
    const stdin = proc.writable(0);
    if (stdin) {
      const onDrain = (): void => {
        r.waitingDrain = false;
        this.flush(r);
      };
      stdin.on('drain', onDrain);
      r.off = () => stdin.off('drain', onDrain);
    }
    void proc.exited.then((info) => {
      if (this.state !== 'stopping' && this.state !== 'stopped') this.dropped(r, this.exitError(proc, info.code));
    });
    this.writeBytes(r, flvHeader(r.mux.hasAudio, true));
    for (const tag of r.mux.headers()) this.writeTag(r, tag);
    return Promise.resolve(r);
  }

  protected flush(r: Recorder): void {
    if (r.waitingDrain) return;
    for (let p = this.queue.shift(); p; p = this.queue.shift()) {
      const tag = r.mux.tag(p);
      if (tag && !this.writeTag(r, tag)) {
        r.waitingDrain = true; // the 'drain' listener resumes
        return;
      }
    }
  }

  /** 'stop': write what is queued, end the recorder's input and wait for it to finalise the file. */
  protected async close(r: Recorder, reason: CloseReason): Promise<void> {
    const deadline = setTimeout(() => r.proc.close(), reason === 'stop' ? (this.o.stopTimeoutMs ?? 10_000) : 0);
    try {
      if (reason === 'stop') {
        while (this.queue.length > 0 && r.proc.running) {
          this.flush(r);
          if (this.queue.length > 0) await new Promise((res) => setTimeout(res, 10));
        }
        r.proc.writable(0)?.end();
      }
      const info = await r.proc.exited;
      if (reason === 'stop' && info.code !== 0 && info.code !== null) throw this.exitError(r.proc, info.code);
    } finally {
      clearTimeout(deadline);
      r.off();
    }
  }

  private exitError(proc: ChildProc, code: number | null): TandemError {
    const last = proc.stderr.split('\n').filter(Boolean).pop();
    return new TandemError('encoder-failed', `recorder ffmpeg exited (code ${code ?? 'signal'})${last ? `: ${last}` : ''}`, { target: this.path });
  }

  protected override onConfig(config: CodecConfig, r: Recorder | undefined): void {
    r?.mux.update(config);
  }

  private writeTag(r: Recorder, tag: FlvTag): boolean {
    const ok = this.writeBytes(r, encodeFlvTag(tag));
    if (tag.type === FlvTagType.Video && (tag.body[1] ?? 0) === 1) this.sent(0, true);
    return ok;
  }

  private writeBytes(r: Recorder, bytes: Uint8Array): boolean {
    const w = r.proc.writable(0);
    if (!w || w.destroyed) return true;
    this.sent(bytes.length, false);
    return w.write(bytes);
  }
}
