// A real H.264/AAC source for the RTMP integration tests: ffmpeg encodes testsrc + sine to FLV on
// stdout; we parse the FLV and turn it into EncodedPackets exactly as the encoder contract says
// (access units as NAL units with SPS/PPS first on IDRs, raw AAC frames, µs timestamps).
import { spawn, type ChildProcess } from 'node:child_process';
import { FlvTagType } from '../../src/main/protocol/flv/file';
import { FlvReader } from '../helpers/flv-reader';
import { parseAudioTag, parseVideoTag } from '../../src/main/protocol/flv/tags';
import type { Output } from '../../src/main/outputs/output';
import { audioPacket, videoPacket, type AacConfig, type CodecConfig, type EncodedPacket, type H264Config } from '../../src/main/protocol/media';

export interface TestSource {
  configs: Promise<CodecConfig[]>;
  /** Resolves when ffmpeg has ended and every packet was delivered. */
  done: Promise<void>;
  packetsOut: { video: number; audio: number };
  onPacket(fn: (p: EncodedPacket) => void): void;
  /**
   * Feed an output as the engine's PacketBus does for a fixed-GOP encoder: every packet, and the
   * GOP since the last keyframe again each time the output goes live (it starts at a keyframe).
   */
  feed(out: Output): void;
  stop(): void;
}

function parseAvcC(rec: Uint8Array): { sps: Uint8Array[]; pps: Uint8Array[] } {
  let o = 5;
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  const ns = (rec[o++] ?? 0) & 0x1f;
  for (let i = 0; i < ns; i++) {
    const len = ((rec[o] ?? 0) << 8) | (rec[o + 1] ?? 0);
    sps.push(rec.slice(o + 2, o + 2 + len));
    o += 2 + len;
  }
  const np = rec[o++] ?? 0;
  for (let i = 0; i < np; i++) {
    const len = ((rec[o] ?? 0) << 8) | (rec[o + 1] ?? 0);
    pps.push(rec.slice(o + 2, o + 2 + len));
    o += 2 + len;
  }
  return { sps, pps };
}

function avccNalus(data: Uint8Array, prefix: Uint8Array[]): Uint8Array[] {
  const nals: Uint8Array[] = [...prefix];
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let o = 0; o + 4 <= data.length; ) {
    const len = v.getUint32(o);
    nals.push(data.slice(o + 4, o + 4 + len));
    o += 4 + len;
  }
  return nals;
}

export interface TestSourceOptions {
  seconds: number;
  width?: number;
  height?: number;
  fps?: number;
  realtime?: boolean;
  /** Video bitrate, kbit/s (default 2500). */
  videoKbps?: number;
  /** Add temporal noise so x264 spends the whole bitrate (testsrc alone compresses to ~0.3 Mbit/s). */
  noise?: boolean;
}

export function startTestSource(opts: TestSourceOptions): TestSource {
  const width = opts.width ?? 1280;
  const height = opts.height ?? 720;
  const fps = opts.fps ?? 30;
  const args = [
    '-hide_banner', '-loglevel', 'error', ...(opts.realtime === false ? [] : ['-re']),
    '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}${opts.noise ? ',noise=alls=30:allf=t' : ''}`,
    '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000',
    '-t', String(opts.seconds), '-pix_fmt', 'yuv420p',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-bf', '0', '-g', '60', '-b:v', `${opts.videoKbps ?? 2500}k`,
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-f', 'flv', 'pipe:1',
  ];
  const proc: ChildProcess = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const reader = new FlvReader();
  let video: H264Config | undefined;
  let audio: AacConfig | undefined;
  const listeners: ((p: EncodedPacket) => void)[] = [];
  const early: EncodedPacket[] = [];
  let gop: EncodedPacket[] = [];
  const packetsOut = { video: 0, audio: 0 };
  let resolveConfigs!: (c: CodecConfig[]) => void;
  let rejectConfigs!: (e: Error) => void;
  const configs = new Promise<CodecConfig[]>((res, rej) => ((resolveConfigs = res), (rejectConfigs = rej)));
  configs.catch(() => undefined);
  const deliver = (p: EncodedPacket): void => {
    if (p.track === 'video') packetsOut.video++;
    else packetsOut.audio++;
    if (p.track === 'video' && p.keyframe) gop = [p];
    else if (gop.length > 0) gop.push(p);
    if (listeners.length) for (const fn of listeners) fn(p);
    else early.push(p);
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    for (const tag of reader.push(chunk)) {
      if (tag.type === FlvTagType.Video) {
        const t = parseVideoTag(tag.body);
        if (t.packetType === 0) {
          const { sps, pps } = parseAvcC(t.data);
          video = { codec: 'h264', width, height, fps, sps, pps };
        } else if (t.packetType === 1 && video) {
          const key = t.frameType === 1;
          const dts = tag.timestamp * 1000;
          deliver(videoPacket('h264', dts + t.cts * 1000, dts, key, avccNalus(t.data, key ? [...video.sps, ...video.pps] : [])));
        }
      } else if (tag.type === FlvTagType.Audio) {
        const a = parseAudioTag(tag.body);
        if (a.packetType === 0) audio = { codec: 'aac', sampleRate: 48000, channels: 2, asc: a.data.slice() };
        else if (a.packetType === 1) deliver(audioPacket('aac', tag.timestamp * 1000, a.data.slice()));
      }
      if (video && audio) {
        resolveConfigs([video, audio]);
      }
    }
  });
  let stopped = false;
  const done = new Promise<void>((resolve, reject) => {
    proc.on('exit', (code) => {
      if (code === 0 || code === 255 || stopped) resolve();
      else reject(new Error(`source ffmpeg exited with ${code}: ${stderr}`));
      rejectConfigs(new Error(`source ffmpeg ended before both configs: ${stderr}`));
    });
  });
  return {
    configs,
    done,
    packetsOut,
    onPacket(fn) {
      listeners.push(fn);
      for (const p of early.splice(0)) fn(p);
    },
    feed(out) {
      out.on('state', (st) => {
        if (st === 'live') for (const p of gop) out.write(p);
      });
      listeners.push((p) => out.write(p));
    },
    stop() {
      stopped = true;
      listeners.length = 0;
      proc.kill('SIGKILL');
    },
  };
}
