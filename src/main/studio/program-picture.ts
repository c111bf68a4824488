// The program picture, as the engine last received it from the studio page, for screenshots
// (obs-websocket GetSourceScreenshot). The studio page composites (docs/ARCHITECTURE.md "Media
// path"); while live or recording it sends the program to the engine, either as raw I420 frames
// (the ffmpeg path) or as H.264 chunks it encoded itself (WebCodecs). `tap()` wraps the Studio's
// media endpoint and keeps, per channel, the newest raw frame or the newest group of pictures
// (decoder config + chunks since the last keyframe), by reference: no copy per frame.
// `capture()` turns it into a PNG or JPEG with ffmpeg (encoder/snapshot.ts), one at a time.
// When nothing has arrived for FRESH_MS (not capturing, or the page is gone), capture() asks for
// the program through `demand` (the Studio then tells the page to send it, as while live) and
// waits up to WAIT_MS; the demand lapses WARM_MS after the last screenshot, so a tool polling
// screenshots keeps one stream of pictures going rather than starting one per request. Without a
// picture capture() says why instead of inventing one.
import type { MediaChannel, MediaControl, MediaEndpoint, MediaMessage } from '../../shared/media-wire';
import { toErrorInfo } from '../../shared/errors';
import { joinAnnexB, splitAvcc } from '../protocol/h264/annexb';
import { parseAvcDecoderConfigurationRecord } from '../protocol/h264/avcc';
import { resolveFfmpeg } from '../encoder/ffmpeg-path';
import { runSnapshot, snapshotArgs, type SnapshotOutput } from '../encoder/snapshot';

export type PictureRequest = SnapshotOutput;
export type PictureResult = { data: Uint8Array } | { unavailable: string };

/** What GetSourceScreenshot asks of the engine. */
export interface ProgramPictures {
  capture(req: PictureRequest): Promise<PictureResult>;
}

/** A picture older than this is not the program any more (capture stopped). */
export const FRESH_MS = 3000;
/** Bounds on one kept group of pictures (a 2 s GOP at 30 fps is 60 chunks). */
const MAX_GOP_CHUNKS = 600;
const MAX_GOP_BYTES = 48 << 20;
/** Screenshots waiting for ffmpeg beyond this are refused (a client polling too fast). */
const MAX_WAITING = 4;
/** How long a screenshot waits for the page's first picture once asked for. */
export const WAIT_MS = 5000;
/** The page keeps sending the program this long after the last screenshot. */
export const WARM_MS = 10_000;
const POLL_MS = 50;

interface Raw {
  width: number;
  height: number;
  data: Uint8Array;
  at: number;
}

interface Gop {
  config: Uint8Array | undefined;
  chunks: Uint8Array[];
  bytes: number;
  at: number;
}

interface ChannelPictures {
  raw: Raw | undefined;
  groups: Map<number, Gop>;
}

export interface ProgramPictureOptions {
  ffmpegPath?: () => Promise<string>;
  now?: () => number;
  /** Asks the studio page to send the program (true) or lets it stop (false): Studio.wantProgramPicture. */
  demand?: (wanted: boolean) => void;
  /** Default WAIT_MS. */
  waitMs?: number;
  /** Default WARM_MS. */
  warmMs?: number;
}

export class ProgramPicture implements ProgramPictures {
  private readonly channels = new Map<number, ChannelPictures>();
  private nextChannel = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly ffmpegPath: () => Promise<string>;
  private readonly now: () => number;
  private readonly demand: ((wanted: boolean) => void) | undefined;
  private warm: ReturnType<typeof setTimeout> | undefined;
  private readonly waitMs: number;
  private readonly warmMs: number;

  constructor(opts: ProgramPictureOptions = {}) {
    this.ffmpegPath = opts.ffmpegPath ?? (async () => (await resolveFfmpeg()).path);
    this.now = opts.now ?? (() => performance.now());
    this.demand = opts.demand;
    this.waitMs = opts.waitMs ?? WAIT_MS;
    this.warmMs = opts.warmMs ?? WARM_MS;
  }

  /** Stops asking for pictures (engine exit). */
  close(): void {
    if (this.warm === undefined) return;
    clearTimeout(this.warm);
    this.warm = undefined;
    this.demand?.(false);
  }

  private keepWarm(): void {
    const demand = this.demand;
    if (!demand) return;
    if (this.warm === undefined) demand(true);
    else clearTimeout(this.warm);
    this.warm = setTimeout(() => {
      this.warm = undefined;
      demand(false);
    }, this.warmMs);
    this.warm.unref?.();
  }

  /** The newest picture, waiting up to WAIT_MS for the first one after asking the page. */
  private async awaitNewest(): Promise<ReturnType<ProgramPicture['newest']>> {
    let pic = this.newest();
    if (pic || !this.demand) return pic;
    const until = this.now() + this.waitMs;
    while (!pic && this.now() < until) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      pic = this.newest();
    }
    return pic;
  }

  /** The endpoint the transports attach to: the same Studio, with the program kept on the way. */
  tap(endpoint: MediaEndpoint): MediaEndpoint {
    return {
      attachMediaChannel: (send: (msg: MediaControl) => void): MediaChannel => {
        const inner = endpoint.attachMediaChannel(send);
        const id = this.nextChannel++;
        const mine: ChannelPictures = { raw: undefined, groups: new Map() };
        this.channels.set(id, mine);
        return {
          push: (msg) => {
            this.see(mine, msg);
            return inner.push(msg);
          },
          closed: (problem) => {
            this.channels.delete(id);
            inner.closed(problem);
          },
        };
      },
    };
  }

  private see(c: ChannelPictures, msg: MediaMessage): void {
    const at = this.now();
    if (msg.kind === 'video') c.raw = { width: msg.width, height: msg.height, data: msg.data, at };
    else if (msg.kind === 'config') {
      const g = c.groups.get(msg.group) ?? { config: undefined, chunks: [], bytes: 0, at };
      g.config = msg.data;
      g.chunks = []; // a new config: wait for the keyframe that follows it
      g.bytes = 0;
      c.groups.set(msg.group, g);
    } else if (msg.kind === 'chunk') {
      const g = c.groups.get(msg.group);
      if (!g?.config) return;
      if (msg.keyframe) {
        g.chunks = [msg.data];
        g.bytes = msg.data.byteLength;
      } else if (g.chunks.length > 0 && g.chunks.length < MAX_GOP_CHUNKS && g.bytes + msg.data.byteLength <= MAX_GOP_BYTES) {
        g.chunks.push(msg.data);
        g.bytes += msg.data.byteLength;
      }
      g.at = at;
    }
  }

  /** The newest picture any channel holds: a raw frame, or a GOP as Annex B with its frame count. */
  private newest(): { kind: 'i420'; raw: Raw } | { kind: 'h264'; annexB: Uint8Array; frames: number } | undefined {
    const cutoff = this.now() - FRESH_MS;
    let best: { at: number; pick: () => ReturnType<ProgramPicture['newest']> } | undefined;
    for (const c of this.channels.values()) {
      const raw = c.raw;
      if (raw && raw.at >= cutoff && (!best || raw.at > best.at)) best = { at: raw.at, pick: () => ({ kind: 'i420', raw }) };
      for (const g of c.groups.values()) {
        const config = g.config;
        if (!config || g.chunks.length === 0 || g.at < cutoff || (best && g.at <= best.at)) continue;
        const chunks = [...g.chunks];
        best = { at: g.at, pick: () => ({ kind: 'h264', annexB: gopAnnexB(config, chunks), frames: chunks.length }) };
      }
    }
    return best?.pick();
  }

  async capture(req: PictureRequest): Promise<PictureResult> {
    if (this.waiting >= MAX_WAITING) return { unavailable: 'Too many screenshots at once: try again shortly.' };
    this.keepWarm();
    let pic: ReturnType<ProgramPicture['newest']>;
    this.waiting++;
    try {
      pic = await this.awaitNewest();
    } catch (err) {
      this.waiting--;
      return { unavailable: `The program picture could not be read: ${toErrorInfo(err).message}` };
    }
    if (!pic) {
      this.waiting--;
      return {
        unavailable: this.demand
          ? `The studio page sent no program picture within ${this.waitMs / 1000} s: is it open?`
          : 'There is no program picture yet: the studio page sends it to the engine only while live or recording.',
      };
    }
    const found = pic;
    const run = async (): Promise<PictureResult> => {
      try {
        const ffmpeg = await this.ffmpegPath();
        if (found.kind === 'i420') {
          return { data: await runSnapshot(ffmpeg, snapshotArgs({ kind: 'i420', width: found.raw.width, height: found.raw.height }, req), found.raw.data) };
        }
        try {
          return { data: await runSnapshot(ffmpeg, snapshotArgs({ kind: 'h264', frames: found.frames }, req), found.annexB) };
        } catch {
          // Fewer pictures than access units decoded (a damaged chunk): the keyframe alone.
          return { data: await runSnapshot(ffmpeg, snapshotArgs({ kind: 'h264', frames: 1 }, req), found.annexB) };
        }
      } catch (err) {
        return { unavailable: toErrorInfo(err).message };
      } finally {
        this.waiting--;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** SPS and PPS from the decoder config, then every chunk's NAL units, with start codes. */
export function gopAnnexB(config: Uint8Array, chunks: readonly Uint8Array[]): Uint8Array {
  const cfg = parseAvcDecoderConfigurationRecord(config);
  const nalus: Uint8Array[] = [...cfg.sps, ...cfg.pps];
  for (const c of chunks) nalus.push(...splitAvcc(c, cfg.lengthSize));
  return joinAnnexB(nalus);
}
