// The one FLV muxer (as OBS's flv-mux serves both its FLV file output and its RTMP stream):
// EncodedPackets and CodecConfigs → FLV tags. RTMP sends each tag body as an audio (8) or video (9)
// message (RTMP spec 1.0 §7.1.5); the recorder frames the same tags into an FLV file
// (file.ts, FLV spec 10.1 E.3) for the remuxing ffmpeg. Legacy AVC / AAC tags (E.4.2.1, E.4.3.1),
// track 0, so every server and demuxer reads them. Pure.
//
// Timestamps: 32-bit milliseconds from the first packet of the connection or file (the base),
// rounded down; the composition time (pts − dts) rides in the AVC tag. A tag comes as parts — the
// tag header, then each NAL unit's 4-byte length and the NAL unit itself, straight from the
// packet's array (docs/ARCHITECTURE.md "Media path") — so RTMP copies the payload once, into its
// chunks (measured in bench/rtmp: docs/benchmarks/rtmp.md); a file joins them.
import type { AacConfig, CodecConfig, EncodedPacket, H264Config } from '../media';
import { stripDelimiters } from '../h264/access-unit';
import { buildAvcDecoderConfigurationRecord } from '../h264/avcc';
import { FlvTagType, type FlvTag } from './file';
import { aacFrameTag, aacSequenceHeaderTag, avcFrameTag, avcSequenceHeaderTag, setDataFrameBody, type StreamMetadata } from './tags';

export interface FlvTracks {
  video?: H264Config;
  audio?: AacConfig;
}

/** The tracks FLV can carry from a list of configs (H.264 + AAC; others are not FLV track 0 codecs). */
export function flvTracks(configs: readonly CodecConfig[]): FlvTracks {
  const t: FlvTracks = {};
  for (const c of configs) {
    if (c.codec === 'h264') t.video = c;
    else if (c.codec === 'aac') t.audio = c;
  }
  return t;
}

/** A tag whose body is the concatenation of `parts`. */
export interface FlvTagParts {
  type: number;
  timestamp: number;
  parts: Uint8Array[];
  /** Sum of the parts' lengths. */
  size: number;
}

const NO_BYTES = new Uint8Array(0);

function len4(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

export function joinParts(t: FlvTagParts): FlvTag {
  const body = new Uint8Array(t.size);
  let o = 0;
  for (const part of t.parts) {
    body.set(part, o);
    o += part.length;
  }
  return { type: t.type, timestamp: t.timestamp, body };
}

export class FlvMuxer {
  private base: number | undefined;
  /** Video frames turned into tags. */
  videoTags = 0;

  constructor(private tracks: FlvTracks) {}

  get hasVideo(): boolean {
    return this.tracks.video !== undefined;
  }

  get hasAudio(): boolean {
    return this.tracks.audio !== undefined;
  }

  /** A new config for a track (e.g. new SPS after an encoder change): headers() must be sent again. */
  update(config: CodecConfig): void {
    if (config.codec === 'h264') this.tracks = { ...this.tracks, video: config };
    else if (config.codec === 'aac') this.tracks = { ...this.tracks, audio: config };
  }

  /** onMetaData (E.5) as the body of an `@setDataFrame` data message. */
  metadata(meta: Omit<StreamMetadata, 'width' | 'height' | 'framerate' | 'videocodecid' | 'audiocodecid' | 'audiosamplerate' | 'audiochannels'>): Uint8Array {
    const m: StreamMetadata = { ...meta };
    const v = this.tracks.video;
    const a = this.tracks.audio;
    if (v) Object.assign(m, { width: v.width, height: v.height, framerate: v.fps, videocodecid: 7 });
    else delete m.videodatarate;
    if (a) Object.assign(m, { audiocodecid: 10, audiosamplerate: a.sampleRate, audiochannels: a.channels });
    else delete m.audiodatarate;
    return setDataFrameBody(m);
  }

  /** The sequence headers (AVCDecoderConfigurationRecord, AudioSpecificConfig) at the current base. */
  headers(): FlvTag[] {
    const ts = 0;
    const out: FlvTag[] = [];
    const v = this.tracks.video;
    if (v) out.push({ type: FlvTagType.Video, timestamp: ts, body: avcSequenceHeaderTag(buildAvcDecoderConfigurationRecord(v.sps, v.pps)) });
    if (this.tracks.audio) out.push({ type: FlvTagType.Audio, timestamp: ts, body: aacSequenceHeaderTag(this.tracks.audio.asc) });
    return out;
  }

  /** The next packet as a tag in parts, or undefined for a codec FLV track 0 does not carry. */
  parts(p: EncodedPacket): FlvTagParts | undefined {
    if (p.codec !== 'h264' && p.codec !== 'aac') return undefined;
    if (p.codec === 'aac' && !this.tracks.audio) return undefined;
    this.base ??= p.dts;
    const timestamp = Math.max(0, Math.floor((p.dts - this.base) / 1000)) >>> 0;
    if (p.track === 'video') {
      this.videoTags++;
      const cts = Math.round((p.pts - p.dts) / 1000);
      const parts = [avcFrameTag(NO_BYTES, p.keyframe, cts)];
      let size = parts[0]!.length;
      for (const n of stripDelimiters(p.nalus)) {
        parts.push(len4(n.length), n);
        size += 4 + n.length;
      }
      return { type: FlvTagType.Video, timestamp, parts, size };
    }
    const head = aacFrameTag(NO_BYTES);
    return { type: FlvTagType.Audio, timestamp, parts: [head, p.data], size: head.length + p.data.length };
  }

  /** The next packet as one tag (for files), or undefined for a codec FLV track 0 does not carry. */
  tag(p: EncodedPacket): FlvTag | undefined {
    const t = this.parts(p);
    return t ? joinParts(t) : undefined;
  }

  /** The next packet starts the timeline again at 0 (a new RTMP connection). */
  rebase(): void {
    this.base = undefined;
  }
}
