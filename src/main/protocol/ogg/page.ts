// Ogg pages and packet reassembly, RFC 3533 section 6 (page header layout, lacing values,
// continued packets) and the CRC of section 6 ("CRC checksum": generator 0x04C11DB7, initial 0,
// no reflection, computed with the checksum field zeroed).
import { ProtocolError } from '../../../shared/errors';

export const OGG_CAPTURE = [0x4f, 0x67, 0x67, 0x53] as const; // "OggS"
export const OGG_HEADER_MIN = 27;

export const HeaderType = { CONTINUED: 0x01, BOS: 0x02, EOS: 0x04 } as const;

export interface OggPage {
  headerType: number;
  /** granule_position; -1 when no packet ends on this page (all bits set). */
  granulePosition: bigint;
  serial: number;
  sequence: number;
  /** Lacing values (segment_table). */
  segments: Uint8Array;
  body: Uint8Array;
  /** Total page length in bytes (header + segment table + body). */
  length: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg CRC-32 over `buf`, treating bytes [zeroFrom, zeroFrom+4) as zero. */
export function oggCrc(buf: Uint8Array, zeroFrom = -1): number {
  let crc = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = zeroFrom >= 0 && i >= zeroFrom && i < zeroFrom + 4 ? 0 : buf[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  }
  return crc >>> 0;
}

export function isOggCapture(buf: Uint8Array, off: number): boolean {
  return buf[off] === 0x4f && buf[off + 1] === 0x67 && buf[off + 2] === 0x67 && buf[off + 3] === 0x53;
}

/**
 * Parse one page at `off`. Returns undefined when more bytes are needed; throws ProtocolError on a
 * wrong capture pattern, version or CRC.
 */
export function parseOggPage(buf: Uint8Array, off = 0): OggPage | undefined {
  if (buf.length - off < OGG_HEADER_MIN) return undefined;
  if (!isOggCapture(buf, off)) throw new ProtocolError('no Ogg capture pattern');
  if (buf[off + 4] !== 0) throw new ProtocolError(`Ogg stream_structure_version ${buf[off + 4]}`);
  const nseg = buf[off + 26]!;
  const headerLen = OGG_HEADER_MIN + nseg;
  if (buf.length - off < headerLen) return undefined;
  const segments = buf.subarray(off + OGG_HEADER_MIN, off + headerLen);
  let bodyLen = 0;
  for (const s of segments) bodyLen += s;
  const length = headerLen + bodyLen;
  if (buf.length - off < length) return undefined;
  const view = new DataView(buf.buffer, buf.byteOffset + off, length);
  const page = buf.subarray(off, off + length);
  const crc = view.getUint32(22, true);
  if (oggCrc(page, 22) !== crc) throw new ProtocolError('Ogg page CRC mismatch');
  return {
    headerType: buf[off + 5]!,
    granulePosition: view.getBigInt64(6, true),
    serial: view.getUint32(14, true),
    sequence: view.getUint32(18, true),
    segments,
    body: page.subarray(headerLen),
    length,
  };
}

export interface OggPacket {
  data: Uint8Array;
  serial: number;
  /** The granule position of the page on which this packet ended, if it is the page's last. */
  granulePosition: bigint | undefined;
  bos: boolean;
}

/**
 * Reassemble packets from pages (RFC 3533 6: a lacing value < 255 ends a packet; a packet may
 * continue on the next page, flagged 0x01). Holds at most one partial packet per stream.
 */
export class OggPacketAssembler {
  private partial = new Map<number, Uint8Array[]>();
  /** Cap on one packet, to bound memory on hostile input. */
  constructor(private readonly maxPacketBytes = 1 << 20) {}

  push(page: OggPage): OggPacket[] {
    const out: OggPacket[] = [];
    const held = this.partial.get(page.serial);
    const continued = (page.headerType & HeaderType.CONTINUED) !== 0;
    // A page that does not continue drops any held partial; a continued page with nothing held
    // lost its start: its first packet is incomplete and is skipped.
    let skipFirst = continued && !held;
    let parts = continued && held ? held : [];
    let off = 0;
    let start = 0;
    let size = parts.reduce((n, p) => n + p.length, 0);
    let lastEnded = -1;
    const ended: Uint8Array[] = [];
    page.segments.forEach((lace, i) => {
      off += lace;
      size += lace;
      if (size > this.maxPacketBytes) throw new ProtocolError('Ogg packet exceeds the size limit');
      if (lace < 255) {
        parts.push(page.body.subarray(start, off));
        if (skipFirst) skipFirst = false;
        else ended.push(concat(parts));
        parts = [];
        size = 0;
        start = off;
        lastEnded = i;
      }
    });
    if (start < off) parts.push(page.body.slice(start, off));
    if (parts.length) this.partial.set(page.serial, parts);
    else this.partial.delete(page.serial);
    ended.forEach((data, i) => {
      out.push({
        data,
        serial: page.serial,
        granulePosition: i === ended.length - 1 && lastEnded >= 0 && page.granulePosition >= 0n ? page.granulePosition : undefined,
        bos: (page.headerType & HeaderType.BOS) !== 0 && i === 0,
      });
    });
    return out;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!.slice();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
