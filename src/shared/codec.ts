// H.264 codec strings for WebCodecs (RFC 6381 §3.3: avc1.PPCCLL), shared by the engine (which
// names the encode of each encoder group) and the renderer (which checks it can run it). Pure.

export type H264Profile = 'baseline' | 'main' | 'high';

/**
 * Constrained Baseline (42e0: what every WebRTC receiver decodes), Main (4d40) or High (6400); the
 * level from the frame size and rate (H.264 Table A-1: 3.1 up to 1280×720@30, 4.0 up to
 * 1920×1080@30, 4.2 up to 1080p60, 5.1 beyond).
 */
export function codecString(profile: H264Profile, width: number, height: number, fps: number): string {
  const mbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const rate = mbs * fps;
  const level = mbs <= 3600 && rate <= 108_000 ? 0x1f : mbs <= 8192 && rate <= 245_760 ? 0x28 : mbs <= 8704 && rate <= 522_240 ? 0x2a : 0x33;
  const p = profile === 'baseline' ? '42e0' : profile === 'main' ? '4d40' : '6400';
  return `avc1.${p}${level.toString(16).padStart(2, '0')}`;
}
