/**
 * A reference RTMP/RTMPS publisher: the ffmpeg CLI sending a test pattern + sine tone in real time.
 *
 *   publishTestStream(url: string, opts?: {
 *     seconds?: number;        // default 3
 *     size?: string;           // default '1280x720'
 *     fps?: number;            // default 30
 *     gop?: number;            // keyframe interval in frames (default = fps: one per second)
 *     audio?: boolean;         // AAC sine tone, default true
 *     extraArgs?: string[];    // inserted before the output URL (e.g. ['-tls_verify', '0'])
 *   }): FfmpegPublisher
 *
 *   interface FfmpegPublisher {
 *     done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
 *     stop(): Promise<void>;   // SIGINT (clean unpublish), SIGKILL after 3 s
 *     kill(): Promise<void>;   // SIGKILL now (the connection is reset)
 *   }
 *
 * ffmpeg -re -f lavfi -i testsrc=size=WxH:rate=FPS -f lavfi -i sine -t SECONDS
 *        -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g GOP -bf 0
 *        -c:a aac -f flv URL
 */
import { FFMPEG, spawnPeer } from './proc';

export interface PublishTestStreamOptions {
  seconds?: number;
  size?: string;
  fps?: number;
  gop?: number;
  audio?: boolean;
  extraArgs?: string[];
}

export interface FfmpegPublisher {
  readonly done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export function publishTestStream(url: string, opts: PublishTestStreamOptions = {}): FfmpegPublisher {
  const fps = opts.fps ?? 30;
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning', '-re'];
  args.push('-f', 'lavfi', '-i', `testsrc=size=${opts.size ?? '1280x720'}:rate=${fps}`);
  if (opts.audio ?? true) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100');
  args.push('-t', String(opts.seconds ?? 3));
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p');
  args.push('-g', String(opts.gop ?? fps), '-bf', '0');
  if (opts.audio ?? true) args.push('-c:a', 'aac', '-b:a', '128k');
  args.push(...(opts.extraArgs ?? []), '-f', 'flv', url);
  const proc = spawnPeer('ffmpeg-publish', FFMPEG, args);
  return {
    done: proc.exited.then(({ code, signal }) => ({ code, signal, stderr: proc.logTail(8000) })),
    stop: async () => {
      await proc.stop({ signal: 'SIGINT', timeoutMs: 3000 });
    },
    kill: async () => {
      await proc.kill();
    },
  };
}
