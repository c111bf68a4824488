// H.264 Annex B byte-stream handling for RTP (ITU-T H.264 Annex B.1; RFC 6184 §5.6–5.8 carries
// NAL units without start codes). Pure.

/** NAL unit types we look at (ITU-T H.264 Table 7-1). */
export const NAL = { IDR: 5, SEI: 6, SPS: 7, PPS: 8, AUD: 9, FILLER: 12 } as const;

/** Split an Annex B access unit into NAL units (subarrays, no start codes, no trailing zeros). */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const n = data.length;
  let start = -1;
  let i = 0;
  while (i + 2 < n) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) out.push(trimZeros(data, start, i));
      i += 3;
      start = i;
    } else i++;
  }
  if (start >= 0 && start < n) out.push(trimZeros(data, start, n));
  return out.filter((u) => u.length > 0);
}

function trimZeros(data: Uint8Array, from: number, to: number): Uint8Array {
  let end = to;
  while (end > from && data[end - 1] === 0) end--;
  return data.subarray(from, end);
}

export const nalType = (nal: Uint8Array): number => (nal[0] ?? 0) & 0x1f;

/**
 * NAL units worth sending for one access unit: AUDs and filler dropped (RFC 6184 §5.6 permits
 * sending them, but receivers find access-unit boundaries from the RTP marker and timestamp).
 */
export function rtpNalUnits(data: Uint8Array): Uint8Array[] {
  return splitAnnexB(data).filter((u) => {
    const t = nalType(u);
    return t !== NAL.AUD && t !== NAL.FILLER;
  });
}

/** The same NAL units as a 4-byte length-prefixed (AVCC) buffer (ISO 14496-15 §5.3.3). */
export function toLengthPrefixed(nals: readonly Uint8Array[]): Buffer {
  const size = nals.reduce((s, u) => s + 4 + u.length, 0);
  const out = Buffer.alloc(size);
  let o = 0;
  for (const u of nals) {
    out.writeUInt32BE(u.length, o);
    out.set(u, o + 4);
    o += 4 + u.length;
  }
  return out;
}

export const hasIdr = (nals: readonly Uint8Array[]): boolean => nals.some((u) => nalType(u) === NAL.IDR);
