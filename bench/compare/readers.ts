// Far-end readers. FfmpegReader: an ffmpeg decoder in a worker thread (reader-worker.ts) reading
// nginx-rtmp (RTMP play) or Janus' RTP forward (SDP file). Every process is killed by stop(), and
// by killAll() on exit/SIGINT.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { READ_STRIP_JS, STRIP_ROWS, STRIP_WIDTH } from '../../test/helpers/strip';

export interface Arrival {
  seq: number;
  atUs: number;
}

const livePids = new Set<number>();

// The worker runs plain JS (eval: true): workers do not inherit the tsx loader. It spawns one
// ffmpeg decoder and stamps each decoded frame's arrival on its OWN event loop (the main thread is
// busy publishing; its timer lag must not leak into the figures). ffmpeg decodes the stream (RTMP
// URL or RTP SDP) with low-delay flags (-fflags nobuffer -flags low_delay -threads 1: no frame
// threading, which would hold frames back), crops the strip, and writes 8-bit grey frames of
// STRIP_WIDTH × STRIP_ROWS to stdout; each complete frame is read back (strip.ts) and posted as
// [seq, atUs], atUs = performance.timeOrigin + now() in µs when its last byte arrived.
const WORKER_JS = `
const { spawn } = require('node:child_process');
const { parentPort, workerData } = require('node:worker_threads');
${READ_STRIP_JS}
const FRAME = ${STRIP_WIDTH} * ${STRIP_ROWS};
const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
  '-fflags', 'nobuffer', '-flags', 'low_delay', '-threads', '1', ...workerData.input,
  '-map', '0:v:0', '-vf', 'crop=${STRIP_WIDTH}:${STRIP_ROWS}:0:0,format=gray',
  '-fps_mode', 'passthrough', '-flush_packets', '1', '-f', 'rawvideo', 'pipe:1'];
const child = spawn(workerData.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
parentPort.postMessage({ type: 'pid', pid: child.pid });
let stderr = '';
child.stderr.on('data', (b) => { stderr = (stderr + b.toString()).slice(-4000); });
let buf = Buffer.alloc(0), frames = 0, bad = 0, batch = [];
child.stdout.on('data', (b) => {
  const at = Math.round((performance.timeOrigin + performance.now()) * 1000);
  buf = buf.length ? Buffer.concat([buf, b]) : b;
  while (buf.length >= FRAME) {
    const f = buf.subarray(0, FRAME);
    buf = buf.subarray(FRAME);
    frames++;
    const seq = readStrip(f, ${STRIP_WIDTH}, 1);
    if (seq === undefined) bad++; else batch.push([seq, at]);
  }
});
const flush = setInterval(() => { if (batch.length) parentPort.postMessage({ type: 'frames', frames: batch }); batch = []; }, 200);
child.on('error', (e) => { stderr += String(e); });
child.on('exit', (code, signal) => {
  clearInterval(flush);
  if (batch.length) parentPort.postMessage({ type: 'frames', frames: batch });
  parentPort.postMessage({ type: 'exit', code, signal, decoded: frames, bad, stderr });
});
parentPort.on('message', (m) => {
  if (m.type !== 'stop') return;
  child.kill('SIGINT');
  setTimeout(() => child.kill('SIGKILL'), 1500).unref();
});
`;

/** SIGKILL every decoder still running (exit / SIGINT path). */
export function killAllReaders(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  livePids.clear();
}

export class FfmpegReader {
  readonly arrivals: Arrival[] = [];
  decoded = 0;
  bad = 0;
  stderr = '';
  private readonly worker: Worker;
  private pid: number | undefined;
  private readonly done: Promise<void>;

  constructor(readonly label: string, ffmpeg: string, input: string[]) {
    this.worker = new Worker(WORKER_JS, { eval: true, workerData: { ffmpeg, input } });
    this.done = new Promise<void>((resolve) => {
      this.worker.on('message', (m: { type: string; pid?: number; frames?: [number, number][]; decoded?: number; bad?: number; stderr?: string }) => {
        if (m.type === 'pid' && m.pid) {
          this.pid = m.pid;
          livePids.add(m.pid);
        } else if (m.type === 'frames' && m.frames) {
          for (const [seq, atUs] of m.frames) this.arrivals.push({ seq, atUs });
        } else if (m.type === 'exit') {
          this.decoded = m.decoded ?? 0;
          this.bad = m.bad ?? 0;
          this.stderr = m.stderr ?? '';
          if (this.pid) livePids.delete(this.pid);
          resolve();
        }
      });
      this.worker.on('error', (e) => {
        this.stderr += `\nworker error: ${e.message}`;
        resolve();
      });
      this.worker.on('exit', () => resolve());
    });
  }

  static rtmp(label: string, ffmpeg: string, url: string): FfmpegReader {
    return new FfmpegReader(label, ffmpeg, ['-rw_timeout', '30000000', '-i', url]);
  }

  /** RTP H.264 from Janus' forward on host:videoPort with payload type `pt`. */
  static rtp(label: string, ffmpeg: string, dir: string, host: string, videoPort: number, pt: number): FfmpegReader {
    const sdp = ['v=0', `o=- 0 0 IN IP4 ${host}`, 's=bench', `c=IN IP4 ${host}`, 't=0 0', `m=video ${videoPort} RTP/AVP ${pt}`, `a=rtpmap:${pt} H264/90000`, `a=fmtp:${pt} packetization-mode=1`, 'a=recvonly', ''].join('\r\n');
    const path = join(dir, `${label}-${videoPort}.sdp`);
    writeFileSync(path, sdp);
    return new FfmpegReader(label, ffmpeg, ['-protocol_whitelist', 'file,udp,rtp', '-localaddr', host, '-reorder_queue_size', '100', '-probesize', '200000', '-analyzeduration', '500000', '-i', path]);
  }

  /** Stop the decoder (SIGINT, SIGKILL after 1.5 s) and the worker; resolves with everything read. */
  async stop(): Promise<void> {
    this.worker.postMessage({ type: 'stop' });
    const t = setTimeout(() => void this.worker.terminate(), 4000);
    await this.done;
    clearTimeout(t);
    await this.worker.terminate();
    if (this.pid) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // gone
      }
      livePids.delete(this.pid);
    }
  }
}
