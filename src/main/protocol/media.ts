// The media types every layer shares. Pure data: no I/O, no runtime dependencies.
// An EncodedPacket plus the track's CodecConfig is the only thing an output ever sees.

export type TrackKind = 'video' | 'audio';
export type VideoCodec = 'h264' | 'hevc' | 'av1';
export type AudioCodec = 'aac' | 'opus';
export type Codec = VideoCodec | AudioCodec;

export interface EncodedPacket {
  track: TrackKind;
  codec: Codec;
  /** Presentation time in microseconds, on the capture clock (not frame counting). */
  pts: number;
  /** Decode time in microseconds. Equal to pts while the encoder emits no B-frames. */
  dts: number;
  /** True for IDR video frames; always true for audio. */
  keyframe: boolean;
  /**
   * Video: one access unit in Annex B form (start codes), parameter sets in-band on IDRs.
   * AAC: one raw AAC frame without ADTS header. Opus: one Opus packet.
   */
  data: Uint8Array;
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
