// RTCP writers for tests (what a receiver sends a WebRTC sender): transport-wide CC feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), REMB (draft-alvestrand-rmcat-remb-03
// §2.2), RR and SR (RFC 3550 §6.4). The sender never writes these, so they live in test/.
import type { ReportBlock } from '../../src/main/protocol/cc/rtcp';

function packet(firstByte: number, type: number, body: number[]): Uint8Array {
  if (body.length % 4 !== 0) throw new Error('RTCP body must be 32-bit aligned');
  const words = (body.length + 4) / 4 - 1;
  const out = new Uint8Array(4 + body.length);
  out[0] = firstByte;
  out[1] = type;
  out[2] = words >> 8;
  out[3] = words & 0xff;
  out.set(body, 4);
  return out;
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

export interface TwccInput {
  senderSsrc?: number;
  mediaSsrc?: number;
  baseSeq: number;
  feedbackCount: number;
  /** One entry per status from baseSeq: the receive time in µs on the receiver's clock, or null (lost). */
  arrivalsUs: (number | null)[];
  /** Reference time in 64 ms units (written modulo 2^24); default floor(first arrival / 64 ms). */
  referenceTime?: number;
  /** Force a chunk style (default: runs for long runs, else the narrowest vector). */
  chunks?: 'auto' | 'vector2';
}

/** Build one RTPFB FMT 15 packet. Throws on a delta that does not fit 16 bits (split the feedback). */
export function writeTwcc(input: TwccInput): Uint8Array {
  const statuses = input.arrivalsUs;
  const firstArrival = statuses.find((a): a is number => a !== null);
  const refFull = input.referenceTime ?? (firstArrival === undefined ? 0 : Math.floor(firstArrival / 64_000));
  const ref = ((refFull % 0x1000000) + 0x1000000) % 0x1000000;
  let prevTicks = refFull * 256;
  const symbols: number[] = [];
  const deltas: number[] = [];
  for (const a of statuses) {
    if (a === null) {
      symbols.push(0);
      continue;
    }
    const ticks = Math.round(a / 250);
    const d = ticks - prevTicks;
    prevTicks = ticks;
    if (d >= 0 && d <= 255) {
      symbols.push(1);
      deltas.push(d);
    } else {
      if (d < -32768 || d > 32767) throw new Error(`TWCC delta ${d} ticks does not fit 16 bits`);
      symbols.push(2);
      deltas.push((d >> 8) & 0xff, d & 0xff);
    }
  }
  const chunks: number[] = [];
  for (let i = 0; i < symbols.length; ) {
    let run = 1;
    while (i + run < symbols.length && symbols[i + run] === symbols[i] && run < 0x1fff) run++;
    if (input.chunks !== 'vector2' && run >= 14) {
      chunks.push((symbols[i]! << 13) | run);
      i += run;
      continue;
    }
    let oneBit = input.chunks !== 'vector2' && i + 14 <= symbols.length;
    for (let k = 0; oneBit && k < 14; k++) if (symbols[i + k]! > 1) oneBit = false;
    let c = oneBit ? 0x8000 : 0xc000;
    if (oneBit) for (let k = 0; k < 14; k++) c |= symbols[i + k]! << (13 - k);
    else for (let k = 0; k < 7 && i + k < symbols.length; k++) c |= symbols[i + k]! << (12 - 2 * k);
    chunks.push(c);
    i += oneBit ? 14 : 7;
  }
  const body = [
    ...u32(input.senderSsrc ?? 1),
    ...u32(input.mediaSsrc ?? 0),
    (input.baseSeq >> 8) & 0xff, input.baseSeq & 0xff,
    (statuses.length >> 8) & 0xff, statuses.length & 0xff,
    (ref >> 16) & 0xff, (ref >> 8) & 0xff, ref & 0xff,
    input.feedbackCount & 0xff,
  ];
  for (const c of chunks) body.push(c >> 8, c & 0xff);
  for (const d of deltas) body.push(d);
  while (body.length % 4 !== 0) body.push(0);
  return packet(0x80 | 15, 205, body);
}

export function writeRemb(bitrateBps: number, ssrcs: number[] = [1], senderSsrc = 1): Uint8Array {
  let mantissa = Math.floor(bitrateBps);
  let exp = 0;
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  const body = [
    ...u32(senderSsrc), ...u32(0), 0x52, 0x45, 0x4d, 0x42,
    ssrcs.length, (exp << 2) | (mantissa >> 16), (mantissa >> 8) & 0xff, mantissa & 0xff,
    ...ssrcs.flatMap(u32),
  ];
  return packet(0x80 | 15, 206, body);
}

function blockBytes(b: ReportBlock): number[] {
  const lost = b.cumulativeLost < 0 ? b.cumulativeLost + 0x1000000 : b.cumulativeLost;
  return [
    ...u32(b.ssrc), b.fractionLost & 0xff, (lost >> 16) & 0xff, (lost >> 8) & 0xff, lost & 0xff,
    ...u32(b.highestSeq), ...u32(b.jitter), ...u32(b.lsr), ...u32(b.dlsr),
  ];
}

export function writeRr(blocks: ReportBlock[], senderSsrc = 1): Uint8Array {
  return packet(0x80 | blocks.length, 201, [...u32(senderSsrc), ...blocks.flatMap(blockBytes)]);
}

export interface SrInput {
  senderSsrc: number;
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp?: number;
  packetCount?: number;
  octetCount?: number;
  blocks?: ReportBlock[];
}

export function writeSr(sr: SrInput): Uint8Array {
  const blocks = sr.blocks ?? [];
  return packet(0x80 | blocks.length, 200, [
    ...u32(sr.senderSsrc), ...u32(sr.ntpSeconds), ...u32(sr.ntpFraction), ...u32(sr.rtpTimestamp ?? 0),
    ...u32(sr.packetCount ?? 0), ...u32(sr.octetCount ?? 0), ...blocks.flatMap(blockBytes),
  ]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
