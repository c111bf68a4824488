// Minimal FLV writer for the recorder's pipe (Adobe FLV spec v10.1, E.2 header, E.4.1 tags,
// E.4.2.1 AUDIODATA / E.4.3.1 VIDEODATA with AVCPacketType and CompositionTime). Pure.
// The RTMP engineers own protocol/flv/ for the wire; this file only feeds `ffmpeg -f flv -i pipe:0`.
import { annexBToAvcc } from '../../protocol/h264/annexb';

export const TAG_AUDIO = 8;
export const TAG_VIDEO = 9;

export function flvHeader(hasAudio: boolean, hasVideo: boolean): Uint8Array {
  const flags = (hasAudio ? 4 : 0) | (hasVideo ? 1 : 0);
  // "FLV", version 1, flags, header size 9, then PreviousTagSize0 = 0.
  return new Uint8Array([0x46, 0x4c, 0x56, 1, flags, 0, 0, 0, 9, 0, 0, 0, 0]);
}

/** One tag plus its trailing PreviousTagSize. `timestampMs` wraps at 2^32 (TimestampExtended). */
export function flvTag(type: number, timestampMs: number, body: Uint8Array): Uint8Array {
  const size = body.length;
  const out = new Uint8Array(11 + size + 4);
  const ts = Math.max(0, Math.round(timestampMs)) >>> 0;
  out[0] = type;
  out[1] = (size >> 16) & 0xff;
  out[2] = (size >> 8) & 0xff;
  out[3] = size & 0xff;
  out[4] = (ts >> 16) & 0xff;
  out[5] = (ts >> 8) & 0xff;
  out[6] = ts & 0xff;
  out[7] = (ts >>> 24) & 0xff;
  out.set(body, 11);
  new DataView(out.buffer).setUint32(11 + size, 11 + size);
  return out;
}

/** VIDEODATA for AVC: FrameType|CodecID 7, AVCPacketType, SI24 CompositionTime, payload. */
export function avcBody(packetType: 0 | 1, keyframe: boolean, compositionMs: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = ((keyframe ? 1 : 2) << 4) | 7;
  out[1] = packetType;
  const cts = Math.round(compositionMs) & 0xffffff;
  out[2] = (cts >> 16) & 0xff;
  out[3] = (cts >> 8) & 0xff;
  out[4] = cts & 0xff;
  out.set(payload, 5);
  return out;
}

export const avcSequenceHeader = (avcc: Uint8Array): Uint8Array => avcBody(0, true, 0, avcc);
export const avcFrame = (keyframe: boolean, ctsMs: number, annexB: Uint8Array): Uint8Array => avcBody(1, keyframe, ctsMs, annexBToAvcc(annexB));

/** AUDIODATA for AAC: SoundFormat 10, 44 kHz flag, 16-bit, stereo (fixed by the spec for AAC), AACPacketType. */
export function aacBody(packetType: 0 | 1, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + payload.length);
  out[0] = 0xaf;
  out[1] = packetType;
  out.set(payload, 2);
  return out;
}
