// H.264 NAL unit header and types. ISO/IEC 14496-10 (ITU-T H.264) 7.3.1 (nal_unit syntax),
// 7.4.1 Table 7-1 (nal_unit_type semantics).

export const NalType = {
  SLICE: 1,
  SLICE_DPA: 2,
  SLICE_DPB: 3,
  SLICE_DPC: 4,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_OF_SEQ: 10,
  END_OF_STREAM: 11,
  FILLER: 12,
} as const;

/** nal_unit_type: the low 5 bits of the first header byte (7.3.1). -1 for an empty unit. */
export function nalType(nal: Uint8Array): number {
  const b = nal[0];
  return b === undefined ? -1 : b & 0x1f;
}

/** nal_ref_idc: bits 5-6 of the first header byte (7.3.1). */
export function nalRefIdc(nal: Uint8Array): number {
  return ((nal[0] ?? 0) >> 5) & 0x03;
}

/** VCL NAL units carry slice data (Table 7-1: types 1..5). */
export function isVcl(nal: Uint8Array): boolean {
  const t = nalType(nal);
  return t >= 1 && t <= 5;
}
