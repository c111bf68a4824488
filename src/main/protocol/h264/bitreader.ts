// Bit reader over RBSP with Exp-Golomb codes. ISO/IEC 14496-10 7.2 (more_rbsp_data, RBSP vs
// EBSP: emulation_prevention_three_byte in 7.3.1/7.4.1), 9.1 (ue(v)/se(v) parsing).
import { ProtocolError } from '../../../shared/errors';

/** Remove emulation_prevention_three_byte (0x000003 → 0x0000), 7.4.1. */
export function ebspToRbsp(ebsp: Uint8Array): Uint8Array {
  const out = new Uint8Array(ebsp.length);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < ebsp.length; i++) {
    const b = ebsp[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}

export class BitReader {
  private pos = 0; // in bits
  constructor(private readonly buf: Uint8Array) {}

  get bitsLeft(): number {
    return this.buf.length * 8 - this.pos;
  }

  u1(): number {
    if (this.pos >= this.buf.length * 8) throw new ProtocolError('bitstream ended early');
    const bit = (this.buf[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }

  /** u(n), n ≤ 32. */
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.u1();
    return v;
  }

  /** ue(v): Exp-Golomb, 9.1. */
  ue(): number {
    let zeros = 0;
    while (this.u1() === 0) {
      if (++zeros > 31) throw new ProtocolError('Exp-Golomb code longer than 32 bits');
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.u(zeros);
  }

  /** se(v): signed Exp-Golomb, 9.1.1 Table 9-3. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : k === 0 ? 0 : -(k / 2);
  }
}
