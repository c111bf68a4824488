// A real H.264/AAC source for the RTMP integration tests: ffmpeg encodes testsrc + sine to FLV on
// stdout; we parse the FLV and turn it into EncodedPackets exactly as the encoder contract says
// (Annex B access units with SPS/PPS in-band on IDRs, raw AAC frames, µs timestamps).
import { spawn, type ChildProcess } from 'node:child_process';
import { FlvReader, FlvTagType } from '../../src/main/protocol/flv/file';
import { parseAudioTag, parseVideoTag } from '../../src/main/protocol/flv/tags';
import type { AacConfig, CodecConfig, EncodedPacket, H264Config } from '../../src/main/protocol/media';

export interface TestSource {
  configs: Promise<CodecConfig[]>;
  /** Resolves when ffmpeg has ended and every packet was delivered. */
  done: Promise<void>;
  packetsOut: { video: number; audio: number };
  onPacket(fn: (p: EncodedPacket) => void): void;
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

function avccToAnnexB(data: Uint8Array, prefix: Uint8Array[]): Uint8Array {
  const nals: Uint8Array[] = [...prefix];
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let o = 0; o + 4 <= data.length; ) {
    const len = v.getUint32(o);
    nals.push(data.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  const sc = new Uint8Array([0, 0, 0, 1]);
  return new Uint8Array(Buffer.concat(nals.flatMap((n) => [sc, n])));
}

export function startTestSource(opts: { seconds: number; width?: number; height?: number; fps?: number; realtime?: boolean }): TestSource {
  const width = opts.width ?? 1280;
  const height = opts.height ?? 720;
  const fps = opts.fps ?? 30;
  const args = [
    '-hide_banner', '-loglevel', 'error', ...(opts.realtime === false ? [] : ['-re']),
    '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}`,
    '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000',
    '-t', String(opts.seconds), '-pix_fmt', 'yuv420p',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-bf', '0', '-g', '60', '-b:v', '2500k',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-f', 'flv', 'pipe:1',
  ];
  const proc: ChildProcess = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const reader = new FlvReader();
  let video: H264Config | undefined;
  let audio: AacConfig | undefined;
  let listener: ((p: EncodedPacket) => void) | undefined;
  const early: EncodedPacket[] = [];
  const packetsOut = { video: 0, audio: 0 };
  let resolveConfigs!: (c: CodecConfig[]) => void;
  let rejectConfigs!: (e: Error) => void;
  const configs = new Promise<CodecConfig[]>((res, rej) => ((resolveConfigs = res), (rejectConfigs = rej)));
  configs.catch(() => undefined);
  const deliver = (p: EncodedPacket): void => {
    if (p.track === 'video') packetsOut.video++;
    else packetsOut.audio++;
    if (listener) listener(p);
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
          deliver({ track: 'video', codec: 'h264', pts: dts + t.cts * 1000, dts, keyframe: key, data: avccToAnnexB(t.data, key ? [...video.sps, ...video.pps] : []) });
        }
      } else if (tag.type === FlvTagType.Audio) {
        const a = parseAudioTag(tag.body);
        if (a.packetType === 0) audio = { codec: 'aac', sampleRate: 48000, channels: 2, asc: a.data.slice() };
        else if (a.packetType === 1) deliver({ track: 'audio', codec: 'aac', pts: tag.timestamp * 1000, dts: tag.timestamp * 1000, keyframe: true, data: a.data.slice() });
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
      listener = fn;
      for (const p of early.splice(0)) fn(p);
    },
    stop() {
      stopped = true;
      listener = undefined;
      proc.kill('SIGKILL');
    },
  };
}
