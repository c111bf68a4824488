// Prepared media for the output benchmarks: encode once with the project's Encoder (testsrc2 + a
// 1 kHz tone, x264 veryfast zerolatency, profile high (baseline for WHIP, as the studio does), no B-frames, 2 s GOP, CBR-ish -maxrate = -b:v) unpaced,
// keep every EncodedPacket in memory with timestamps rebased to 0, then push the same packets as
// often as needed. Packets are sorted by dts (video before audio on ties), as the PacketBus sees them.
import { writeFileSync } from 'node:fs';
import { Encoder } from '../../src/main/encoder/encoder';
import type { H264Profile } from '../../src/main/encoder/args';
import { encodeFlvTag, flvHeader } from '../../src/main/protocol/flv/file';
import { FlvMuxer } from '../../src/main/protocol/flv/mux';
import type { AacConfig, CodecConfig, EncodedPacket, H264Config, OpusConfig } from '../../src/main/protocol/media';

export interface PreparedStream {
  configs: CodecConfig[];
  video: H264Config;
  aac?: AacConfig;
  opus?: OpusConfig;
  packets: EncodedPacket[];
  seconds: number;
  videoFrames: number;
  keyframes: number;
  /** Bytes of video / audio payload. */
  videoBytes: number;
  audioBytes: number;
  /** Measured video bitrate, kbit/s. */
  videoKbps: number;
}

export async function prepareStream(o: { ffmpegPath: string; seconds: number; videoBitrateKbps: number; aac: boolean; opus: boolean; profile?: H264Profile; width?: number; height?: number; fps?: number }): Promise<PreparedStream> {
  const fps = o.fps ?? 30;
  const enc = new Encoder({
    ffmpegPath: o.ffmpegPath, source: { kind: 'testsrc' }, width: o.width ?? 1280, height: o.height ?? 720, fps, durationSec: o.seconds,
    realtime: false, videoBitrateKbps: o.videoBitrateKbps, audioBitrateKbps: o.opus && !o.aac ? 64 : 128, aac: o.aac, opus: o.opus,
    profile: o.profile ?? 'high',
  });
  const packets: EncodedPacket[] = [];
  enc.on('packet', (p) => packets.push(p));
  const done = new Promise<string>((r) => enc.on('exit', (reason, detail) => r(reason === 'ended' ? reason : `${reason}: ${detail}`)));
  enc.start();
  const reason = await done;
  const configs = enc.configs;
  enc.close();
  if (reason !== 'ended') throw new Error(`preparing the stream: encoder ${reason}`);
  const video = configs.find((c): c is H264Config => c.codec === 'h264');
  if (!video) throw new Error('preparing the stream: no H.264 config');
  const firstKey = packets.find((p) => p.track === 'video' && p.keyframe);
  if (!firstKey) throw new Error('preparing the stream: no keyframe');
  // Start at the first keyframe; rebase to 0.
  const t0 = firstKey.dts;
  const kept = packets.filter((p) => p.dts >= t0).map((p) => ({ ...p, pts: p.pts - t0, dts: p.dts - t0 }));
  kept.sort((a, b) => a.dts - b.dts || (a.track === b.track ? 0 : a.track === 'video' ? -1 : 1));
  // End on a video frame, so "the last video frame was sent" means "everything was sent".
  while (kept.length && kept[kept.length - 1]!.track !== 'video') kept.pop();
  const vids = kept.filter((p) => p.track === 'video');
  const videoBytes = vids.reduce((n, p) => n + (p.track === 'video' ? p.size : 0), 0);
  const audioBytes = kept.reduce((n, p) => n + (p.track === 'audio' ? p.data.length : 0), 0);
  const seconds = vids.length / fps;
  const s: PreparedStream = {
    configs, video, packets: kept, seconds, videoFrames: vids.length, keyframes: vids.filter((p) => p.keyframe).length,
    videoBytes, audioBytes, videoKbps: (videoBytes * 8) / seconds / 1000,
  };
  const aac = configs.find((c): c is AacConfig => c.codec === 'aac');
  const opus = configs.find((c): c is OpusConfig => c.codec === 'opus');
  if (aac) s.aac = aac;
  if (opus) s.opus = opus;
  return s;
}

/** The stream `loops` times back to back (timestamps continue), as one packet list. */
export function looped(s: PreparedStream, loops: number): EncodedPacket[] {
  const span = Math.round((s.seconds * 1e6));
  const out: EncodedPacket[] = [];
  for (let k = 0; k < loops; k++) for (const p of s.packets) out.push({ ...p, pts: p.pts + k * span, dts: p.dts + k * span });
  return out;
}

/** Writes an FLV file with exactly these packets (H.264 + AAC), sequence headers first, no metadata. */
export function writeFlv(path: string, s: PreparedStream, packets: readonly EncodedPacket[]): number {
  if (!s.aac) throw new Error('writeFlv needs AAC');
  const mux = new FlvMuxer({ video: s.video, audio: s.aac });
  const parts: Uint8Array[] = [flvHeader(true, true), ...mux.headers().map(encodeFlvTag)];
  for (const p of packets) {
    const tag = mux.tag(p);
    if (tag) parts.push(encodeFlvTag(tag));
  }
  const buf = Buffer.concat(parts);
  writeFileSync(path, buf);
  return buf.length;
}
