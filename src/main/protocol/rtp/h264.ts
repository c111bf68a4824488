// H.264 access unit → RTP payloads (RFC 6184, packetization-mode=1, the mode WebRTC uses). Pure.
//   §5.6  single NAL unit packet: a NAL unit that fits the payload bound goes as it is;
//   §5.7.1 STAP-A (type 24): consecutive small NAL units (SPS + PPS, SEI) share one packet, each
//          with a 16-bit size, NRI = the largest aggregated NRI, F = OR of the aggregated F bits;
//   §5.8  FU-A (type 28): a NAL unit larger than the bound is fragmented; the FU indicator carries
//          F and NRI, the FU header S/E bits and the original type; a whole NAL is never one FU.
//   §5.1  the marker bit is set on the last packet of the access unit.
// Input is the engine's access-unit format (NAL units without start codes, docs/ARCHITECTURE.md
// "Media path"); AUDs and filler never reach the wire (receivers frame access units by timestamp
// and marker).
import { stripDelimiters } from '../h264/access-unit';

/** RTP payload bound: 1200 bytes is the WebRTC norm for path MTU safety (RFC 9725 leaves MTU to the client). */
export const MAX_RTP_PAYLOAD = 1200;

export interface RtpPayload {
  payload: Uint8Array;
  /** Last packet of the access unit (RFC 6184 §5.1). */
  marker: boolean;
}

const STAP_A = 24;
const FU_A = 28;

export function packetizeH264(nalus: readonly Uint8Array[], maxPayload = MAX_RTP_PAYLOAD): RtpPayload[] {
  const units = stripDelimiters(nalus);
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < units.length) {
    const n = units[i]!;
    if (n.length > maxPayload) {
      fragment(n, maxPayload, out);
      i++;
      continue;
    }
    // Aggregate as many following units as fit (STAP-A header 1 byte + 2 bytes per unit).
    let size = 1 + 2 + n.length;
    let j = i + 1;
    while (j < units.length && size + 2 + units[j]!.length <= maxPayload) size += 2 + units[j++]!.length;
    if (j - i >= 2) {
      out.push(aggregate(units.slice(i, j), size));
      i = j;
    } else {
      out.push(n);
      i++;
    }
  }
  return out.map((payload, k) => ({ payload, marker: k === out.length - 1 }));
}

function aggregate(units: readonly Uint8Array[], size: number): Uint8Array {
  const p = new Uint8Array(size);
  let f = 0;
  let nri = 0;
  let o = 1;
  for (const u of units) {
    f |= u[0]! & 0x80;
    nri = Math.max(nri, u[0]! & 0x60);
    p[o] = u.length >> 8;
    p[o + 1] = u.length & 0xff;
    p.set(u, o + 2);
    o += 2 + u.length;
  }
  p[0] = f | nri | STAP_A;
  return p;
}

function fragment(n: Uint8Array, maxPayload: number, out: Uint8Array[]): void {
  const indicator = (n[0]! & 0xe0) | FU_A;
  const type = n[0]! & 0x1f;
  const chunk = maxPayload - 2;
  for (let off = 1; off < n.length; off += chunk) {
    const end = Math.min(n.length, off + chunk);
    const p = new Uint8Array(2 + end - off);
    p[0] = indicator;
    p[1] = (off === 1 ? 0x80 : 0) | (end === n.length ? 0x40 : 0) | type;
    p.set(n.subarray(off, end), 2);
    out.push(p);
  }
}
