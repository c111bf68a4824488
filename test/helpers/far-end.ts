// What the far end decodes, with the wall-clock time of each change: an ffmpeg player on an RTMP
// URL (nginx-rtmp), and a watcher on an RTP receiver (Janus' forward). Fault tests measure "time
// from the server's return to the first decoded frame" with these.
import { DecodeStatsParser, decodeOutputArgs, type DecodeStats } from '../peers/decode';
import { FFMPEG, spawnPeer } from '../peers/proc';
import type { RtpReceiver } from '../peers/rtp-receiver';
import { sleep } from '../peers/ports';

export interface Player {
  /** Date.now() of the first decoded video frame, once there is one. */
  readonly firstFrameAt: number | undefined;
  /** The player's ffmpeg is still running (it ends when the server goes away). */
  readonly running: boolean;
  stats(): DecodeStats;
  /** Resolves with Date.now() of the first decoded video frame; rejects after timeoutMs. */
  firstFrame(timeoutMs: number): Promise<number>;
  /** Resolves once `n` video frames were decoded; rejects after timeoutMs. */
  frames(n: number, timeoutMs: number): Promise<DecodeStats>;
  stop(): Promise<DecodeStats>;
}

/**
 * The player starts decoding once it has both streams' parameters (a 1 s probe at most). Not
 * `-fflags nobuffer`: ffmpeg would then discard every packet it read while probing, so a player
 * lost its first GOP and counted frames the publisher had delivered as missing.
 */
const LOW_LATENCY = ['-analyzeduration', '1000000'];

/**
 * Plays `url` with ffmpeg and decodes every frame (decode.ts). Start it while the publisher is
 * live, or just before: nginx-rtmp holds a player until a publisher arrives.
 */
export function playStream(url: string, opts: { inputArgs?: readonly string[]; copy?: boolean } = {}): Player {
  // copy: count the video packets received (one framecrc line each) without decoding them.
  const out = opts.copy ? ['-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', '-'] : decodeOutputArgs();
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', ...(opts.inputArgs ?? LOW_LATENCY), '-i', url, ...out];
  const proc = spawnPeer('ffmpeg-player', FFMPEG, args);
  const parser = new DecodeStatsParser();
  let first: number | undefined;
  let copied = 0;
  const stats = (): DecodeStats => (opts.copy ? { ...parser.stats(), frames: copied } : parser.stats());
  proc.onLine((l) => {
    if (opts.copy && /^0,\s*-?\d+,/.test(l)) copied++;
    else parser.feed(l);
    if (first === undefined && stats().frames > 0) first = Date.now();
  });
  const player: Player = {
    get firstFrameAt() {
      return first;
    },
    get running() {
      return proc.isAlive();
    },
    stats,
    async firstFrame(timeoutMs) {
      await player.frames(1, timeoutMs);
      return first ?? Date.now();
    },
    async frames(n, timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (stats().frames < n) {
        if (Date.now() > end) throw new Error(`player ${url.replace(/\/[^/]*$/, '/****')}: ${stats().frames}/${n} frames after ${timeoutMs} ms\n${proc.logTail(1500)}`);
        if (!proc.isAlive() && stats().frames < n) throw new Error(`player exited with ${stats().frames}/${n} frames\n${proc.logTail(1500)}`);
        await sleep(20);
      }
      return stats();
    },
    async stop() {
      await proc.stop({ signal: 'SIGINT', timeoutMs: 2000 });
      return stats();
    },
  };
  return player;
}

/** Resolves with Date.now() when the receiver has decoded more than `after` video frames. */
export async function framesAfter(rx: RtpReceiver, after: number, timeoutMs: number, atLeast = 1): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (rx.stats().frames < after + atLeast) {
    if (Date.now() > end) throw new Error(`RTP receiver: ${rx.stats().frames - after}/${atLeast} new frames after ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now();
}

/** Polls `fn` every 50 ms until it returns true; resolves with Date.now() then, rejects after timeoutMs. */
export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return Date.now();
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
