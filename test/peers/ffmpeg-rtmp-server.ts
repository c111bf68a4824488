/**
 * ffmpeg as a second, independent RTMP server (one publisher, then it exits):
 *   ffmpeg -listen 1 -i rtmp://127.0.0.1:PORT/APP/KEY -c copy -f flv OUT     (or -f null -)
 *
 *   startFfmpegRtmpServer(opts?: {
 *     app?: string;              // default 'live'
 *     key?: string;              // default 'test'
 *     output?: 'flv' | 'null';   // 'flv' (default): remux to `outputPath`; 'null': discard
 *     timeoutMs?: number;        // how long to wait for the listen socket (default 10 s)
 *   }): Promise<FfmpegRtmpServer>
 *
 *   interface FfmpegRtmpServer {
 *     port: number;
 *     url: string;                          // rtmp://127.0.0.1:PORT/APP/KEY: publish here
 *     outputPath: string | undefined;       // the .flv written ('flv' output only)
 *     done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
 *                                           // settles when ffmpeg exits: after the publisher
 *                                           // disconnects (code 0) or after stop()
 *     stop(): Promise<void>;                // ends ffmpeg (SIGINT, then SIGKILL) and removes its temp
 *                                           // dir — read outputPath before calling it
 *   }
 *
 * Readiness: `ffmpeg -listen 1` accepts exactly ONE connection, so probing it with connect() would
 * use it up. Instead we poll /proc/net/tcp until a LISTEN socket on 127.0.0.1:PORT appears
 * (ports.ts isTcpListening). If ffmpeg exits first, startup fails with its stderr.
 */
import { join } from 'node:path';
import { freePort, isTcpListening, sleep, LOOPBACK } from './ports';
import { FFMPEG, makeTempDir, removeTempDir, spawnPeer, withStartupGuard } from './proc';

export interface FfmpegRtmpServerOptions {
  app?: string;
  key?: string;
  output?: 'flv' | 'null';
  timeoutMs?: number;
}

export interface FfmpegRtmpServerResult {
  code: number | null;
  signal: string | null;
  stderr: string;
}

export interface FfmpegRtmpServer {
  readonly port: number;
  readonly url: string;
  readonly outputPath: string | undefined;
  readonly done: Promise<FfmpegRtmpServerResult>;
  stop(): Promise<void>;
}

export async function startFfmpegRtmpServer(opts: FfmpegRtmpServerOptions = {}): Promise<FfmpegRtmpServer> {
  const app = opts.app ?? 'live';
  const key = opts.key ?? 'test';
  const output = opts.output ?? 'flv';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const port = await freePort();
  const url = `rtmp://${LOOPBACK}:${port}/${app}/${key}`;
  const dir = makeTempDir('ffmpeg-rtmp');
  const outputPath = output === 'flv' ? join(dir, 'out.flv') : undefined;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'info', '-listen', '1', '-i', url, '-c', 'copy'];
  args.push(...(outputPath ? ['-f', 'flv', '-y', outputPath] : ['-f', 'null', '-']));
  const proc = spawnPeer('ffmpeg-rtmp-server', FFMPEG, args, { cwd: dir, logFile: join(dir, 'ffmpeg.log') });

  await withStartupGuard(
    `ffmpeg RTMP server (${LOOPBACK}:${port})`,
    () => [proc],
    async () => {
      const deadline = Date.now() + timeoutMs;
      while (!(await isTcpListening(port))) {
        if (!proc.isAlive()) throw new Error('ffmpeg exited before listening');
        if (Date.now() > deadline) throw new Error(`no LISTEN socket on ${LOOPBACK}:${port} after ${timeoutMs} ms`);
        await sleep(25);
      }
    },
  );

  const done = proc.exited.then(({ code, signal }) => ({ code, signal, stderr: proc.logTail(64 * 1024) }));
  return {
    port,
    url,
    outputPath,
    done,
    stop: async () => {
      // SIGINT lets ffmpeg finish the FLV trailer
      await proc.stop({ signal: 'SIGINT', timeoutMs: 3000 });
      removeTempDir(dir);
    },
  };
}
