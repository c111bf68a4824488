// H.264 access units as the engine carries them: an array of NAL units (no start codes), the
// one access-unit format of docs/ARCHITECTURE.md "Media path". ISO/IEC 14496-10 §7.4.1.2.3 fixes
// the order inside an access unit: AUD first, then SPS/PPS, SEI, then the primary coded picture.
// Pure.
import { NalType, nalType } from './nal';

/** Is any NAL unit an IDR slice? */
export const hasIdr = (nalus: readonly Uint8Array[]): boolean => nalus.some((n) => nalType(n) === NalType.IDR);

/** Keeps what a decoder needs: drops empty units, AUDs and filler (RTP, FLV and MP4 frame units themselves). */
export function stripDelimiters(nalus: readonly Uint8Array[]): readonly Uint8Array[] {
  let clean = true;
  for (const n of nalus) {
    const t = nalType(n);
    if (n.length === 0 || t === NalType.AUD || t === NalType.FILLER) clean = false;
  }
  if (clean) return nalus;
  return nalus.filter((n) => {
    const t = nalType(n);
    return n.length > 0 && t !== NalType.AUD && t !== NalType.FILLER;
  });
}

/**
 * An IDR access unit that starts with its parameter sets: a receiver that joins (an RTP viewer,
 * a player seeking in a recording) can decode from any keyframe. The arrays are shared, not
 * copied. Access units that already carry an SPS and a PPS are returned as they are.
 */
export function withParameterSets(nalus: readonly Uint8Array[], sps: readonly Uint8Array[], pps: readonly Uint8Array[]): readonly Uint8Array[] {
  let haveSps = false;
  let havePps = false;
  for (const n of nalus) {
    const t = nalType(n);
    if (t === NalType.SPS) haveSps = true;
    else if (t === NalType.PPS) havePps = true;
  }
  if ((haveSps && havePps) || (sps.length === 0 && pps.length === 0)) return nalus;
  const rest = nalus.filter((n) => {
    const t = nalType(n);
    return t !== NalType.SPS && t !== NalType.PPS;
  });
  return [...sps, ...pps, ...rest];
}

/** The parameter sets an access unit carries, if it carries both. */
export function parameterSetsOf(nalus: readonly Uint8Array[]): { sps: Uint8Array[]; pps: Uint8Array[] } | undefined {
  const sps = nalus.filter((n) => nalType(n) === NalType.SPS);
  const pps = nalus.filter((n) => nalType(n) === NalType.PPS);
  return sps.length && pps.length ? { sps, pps } : undefined;
}

export function sameNalus(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
    return true;
  });
}
