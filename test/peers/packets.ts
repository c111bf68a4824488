/**
 * What a player receives, packet by packet: ffprobe -show_packets on a file or a live stream
 * (e.g. rtmp://127.0.0.1:PORT/live/KEY from nginx-rtmp), each packet with its arrival time here.
 *
 *   readPackets(url, opts: { mediaSec?: number; timeoutMs?: number; signal?: AbortSignal; onPacket?(p) }): Promise<Packet[]>
 *       Reads until `mediaSec` of media after the first packet (ffprobe -read_intervals %+N), the
 *       end of the stream, `timeoutMs` of wall time (default 30 s) or `signal` aborts; then
 *       ffprobe is stopped and the packets so far are returned. (ffprobe's RTMP client does not
 *       end when nginx-rtmp's publisher leaves: stop it with `signal`.) A live stream: start it while the publisher is live (or
 *       just before: nginx-rtmp holds the player until one arrives).
 *   Packet = { type: 'video' | 'audio'; pts: number (s); size: number (bytes); key: boolean; at: number (performance.now()) }
 *   bitrateKbps(packets, type, fromPts, toPts): payload kbit/s of one stream over a pts window
 *   rate(packets, type, fromAt, toAt): packets per second arriving in a window of `at` (ms)
 */
import { FFPROBE, spawnPeer } from './proc';

export interface Packet {
  type: 'video' | 'audio';
  pts: number;
  size: number;
  key: boolean;
  at: number;
}

export interface ReadPacketsOptions {
  mediaSec?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onPacket?: (p: Packet) => void;
}

export async function readPackets(url: string, opts: ReadPacketsOptions = {}): Promise<Packet[]> {
  const args = ['-v', 'error', ...(url.startsWith('rtmp') ? ['-rw_timeout', '15000000'] : [])];
  if (opts.mediaSec !== undefined) args.push('-read_intervals', `%+${opts.mediaSec}`);
  args.push('-show_entries', 'packet=codec_type,pts_time,size,flags', '-of', 'csv=p=0', url);
  const proc = spawnPeer('ffprobe-packets', FFPROBE, args);
  const packets: Packet[] = [];
  let rest = '';
  proc.child.stdout?.on('data', (b: Buffer) => {
    const at = performance.now();
    const lines = (rest + b.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const [type, pts, size, flags] = line.split(',');
      if ((type !== 'video' && type !== 'audio') || pts === undefined || size === undefined) continue;
      const p: Packet = { type, pts: Number(pts), size: Number(size), key: (flags ?? '').includes('K'), at };
      if (!Number.isFinite(p.pts) || !Number.isFinite(p.size)) continue;
      packets.push(p);
      opts.onPacket?.(p);
    }
  });
  const stop = (): void => void proc.stop({ signal: 'SIGINT', timeoutMs: 2000 });
  const timer = setTimeout(stop, opts.timeoutMs ?? 30_000);
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted) stop();
  await proc.exited;
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', stop);
  return packets;
}

/** Payload bit rate of one stream over [fromPts, toPts), kbit/s. */
export function bitrateKbps(packets: readonly Packet[], type: Packet['type'], fromPts: number, toPts: number): number {
  let bytes = 0;
  for (const p of packets) if (p.type === type && p.pts >= fromPts && p.pts < toPts) bytes += p.size;
  return (bytes * 8) / 1000 / (toPts - fromPts);
}

/** Packets of one stream per second that arrived in [fromAt, toAt) (performance.now() ms). */
export function rate(packets: readonly Packet[], type: Packet['type'], fromAt: number, toAt: number): number {
  let n = 0;
  for (const p of packets) if (p.type === type && p.at >= fromAt && p.at < toAt) n++;
  return (n * 1000) / (toAt - fromAt);
}
