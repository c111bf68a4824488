// Sequence parameter set parsing. ISO/IEC 14496-10 7.3.2.1.1 (seq_parameter_set_data syntax),
// 7.3.2.1.1.1 (scaling_list), 7.4.2.1.1 (semantics, frame cropping and Table 6-1 SubWidthC /
// SubHeightC for the crop units).
import { ProtocolError } from '../../../shared/errors';
import { BitReader, ebspToRbsp } from './bitreader';
import { NalType, nalType } from './nal';

export interface SpsInfo {
  profileIdc: number;
  /** constraint_set0..5 flags + reserved bits: the byte between profile and level. */
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  width: number;
  height: number;
  frameMbsOnly: boolean;
  /** "avc1.PPCCLL" codec string part: profile, constraints, level in hex (RFC 6381 3.3). */
  profileLevelId: string;
}

/** Profiles whose SPS carries chroma_format_idc and bit depths (7.3.2.1.1). */
export const HIGH_PROFILES: ReadonlySet<number> = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Parse an SPS NAL unit (with its 1-byte header, without start code). */
export function parseSps(nal: Uint8Array): SpsInfo {
  if (nalType(nal) !== NalType.SPS) throw new ProtocolError(`not an SPS (nal_unit_type ${nalType(nal)})`);
  const r = new BitReader(ebspToRbsp(nal.subarray(1)));
  try {
    const profileIdc = r.u(8);
    const constraintFlags = r.u(8);
    const levelIdc = r.u(8);
    const spsId = r.ue();
    let chromaFormatIdc = 1;
    let separateColourPlane = 0;
    let bitDepthLuma = 8;
    let bitDepthChroma = 8;
    if (HIGH_PROFILES.has(profileIdc)) {
      chromaFormatIdc = r.ue();
      if (chromaFormatIdc === 3) separateColourPlane = r.u1();
      bitDepthLuma = r.ue() + 8;
      bitDepthChroma = r.ue() + 8;
      r.u1(); // qpprime_y_zero_transform_bypass_flag
      if (r.u1()) {
        // seq_scaling_matrix_present_flag
        const lists = chromaFormatIdc !== 3 ? 8 : 12;
        for (let i = 0; i < lists; i++) if (r.u1()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
    r.ue(); // log2_max_frame_num_minus4
    const pocType = r.ue();
    if (pocType === 0) r.ue();
    else if (pocType === 1) {
      r.u1(); // delta_pic_order_always_zero_flag
      r.se();
      r.se();
      const n = r.ue();
      if (n > 255) throw new ProtocolError('num_ref_frames_in_pic_order_cnt_cycle out of range');
      for (let i = 0; i < n; i++) r.se();
    }
    r.ue(); // max_num_ref_frames
    r.u1(); // gaps_in_frame_num_value_allowed_flag
    const widthMbs = r.ue() + 1;
    const heightMapUnits = r.ue() + 1;
    const frameMbsOnly = r.u1() === 1;
    if (!frameMbsOnly) r.u1(); // mb_adaptive_frame_field_flag
    r.u1(); // direct_8x8_inference_flag
    let cropL = 0;
    let cropR = 0;
    let cropT = 0;
    let cropB = 0;
    if (r.u1()) {
      cropL = r.ue();
      cropR = r.ue();
      cropT = r.ue();
      cropB = r.ue();
    }
    // 7.4.2.1.1: ChromaArrayType is 0 with separate colour planes; crop units from Table 6-1.
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaFormatIdc === 3 ? 1 : 2;
    const subHeightC = chromaFormatIdc === 1 ? 2 : 1;
    const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
    const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
    const width = widthMbs * 16 - cropUnitX * (cropL + cropR);
    const height = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16 - cropUnitY * (cropT + cropB);
    if (width <= 0 || height <= 0) throw new ProtocolError(`SPS gives an empty picture (${width}x${height})`);
    return {
      profileIdc,
      constraintFlags,
      levelIdc,
      spsId,
      chromaFormatIdc,
      bitDepthLuma,
      bitDepthChroma,
      width,
      height,
      frameMbsOnly,
      profileLevelId: hex2(profileIdc) + hex2(constraintFlags) + hex2(levelIdc),
    };
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError('malformed SPS', { cause: err });
  }
}
