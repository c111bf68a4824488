// The media types every layer shares. Pure data: no I/O, no runtime dependencies.
// An EncodedPacket plus the track's CodecConfig is the only thing an output ever sees.
//
// One access-unit format end to end (docs/ARCHITECTURE.md "Media path"): a video packet carries
// its NAL units, parsed once where the encoder's output enters the engine (the ffmpeg Annex B
// framer, or the WebCodecs chunk reader). No stage joins them into Annex B and no output splits
// them again: RTMP and recording length-prefix them (FLV/AVCC), WHIP packetizes them (RFC 6184).
// Keyframes always carry their SPS and PPS in-band, first (see withParameterSets below).

export type TrackKind = 'video' | 'audio';
export type VideoCodec = 'h264' | 'hevc' | 'av1';
export type AudioCodec = 'aac' | 'opus';
export type Codec = VideoCodec | AudioCodec;

interface PacketTimes {
  /** Presentation time in microseconds, on the capture clock (not frame counting). */
  pts: number;
  /** Decode time in microseconds. Equal to pts while the encoder emits no B-frames. */
  dts: number;
}

export interface VideoPacket extends PacketTimes {
  track: 'video';
  codec: VideoCodec;
  /** True for IDR frames (H.264 nal_unit_type 5). */
  keyframe: boolean;
  /** The access unit's NAL units without start codes, access unit delimiters or filler. */
  nalus: readonly Uint8Array[];
  /** Sum of the NAL units' lengths (payload bytes, before any framing). */
  size: number;
}

export interface AudioPacket extends PacketTimes {
  track: 'audio';
  codec: AudioCodec;
  /** Always true: every audio packet is independently decodable. */
  keyframe: true;
  /** AAC: one raw AAC frame without ADTS header. Opus: one Opus packet. */
  data: Uint8Array;
}

export type EncodedPacket = VideoPacket | AudioPacket;

/** Payload bytes of a packet. */
export const packetSize = (p: EncodedPacket): number => (p.track === 'video' ? p.size : p.data.byteLength);

export function videoPacket(codec: VideoCodec, pts: number, dts: number, keyframe: boolean, nalus: readonly Uint8Array[]): VideoPacket {
  let size = 0;
  for (const n of nalus) size += n.length;
  return { track: 'video', codec, pts, dts, keyframe, nalus, size };
}

export function audioPacket(codec: AudioCodec, pts: number, data: Uint8Array): AudioPacket {
  return { track: 'audio', codec, pts, dts: pts, keyframe: true, data };
}

export interface H264Config {
  codec: 'h264';
  width: number;
  height: number;
  fps: number;
  /** Sequence and picture parameter sets, NAL units without start codes. */
  sps: Uint8Array[];
  pps: Uint8Array[];
}

export interface AacConfig {
  codec: 'aac';
  sampleRate: number;
  channels: number;
  /** AudioSpecificConfig (ISO 14496-3 1.6.2.1), usually 2 bytes for AAC-LC. */
  asc: Uint8Array;
}

export interface OpusConfig {
  codec: 'opus';
  sampleRate: 48000;
  channels: number;
  /** The OpusHead identification header (RFC 7845 5.1), if the source provided one. */
  head?: Uint8Array;
}

export type CodecConfig = H264Config | AacConfig | OpusConfig;

/** Microseconds → milliseconds, rounded down, for 32-bit RTMP timestamps. */
export const usToMs = (us: number): number => Math.floor(us / 1000);
