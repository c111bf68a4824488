// Incremental framers: elementary byte streams from ffmpeg's pipes → codec frames. Pure: bytes in,
// frames out; feeding the same bytes in any split gives the same frames (tests check every split).
//   Annex B H.264 → access units   (ISO/IEC 14496-10 Annex B; AU boundaries 7.4.1.2.3)
//   ADTS AAC      → raw AAC frames (ISO/IEC 14496-3 1.A.2)
//   Ogg Opus      → Opus packets   (RFC 3533, RFC 7845)
import { findStartCode, trimTrailingZeros } from '../protocol/h264/annexb';
import { NalType, isVcl, nalType } from '../protocol/h264/nal';
import { ADTS_MIN_HEADER, type AdtsHeader, isAdtsSync, parseAdtsHeader } from '../protocol/aac/adts';
import { OggPacketAssembler, isOggCapture, parseOggPage } from '../protocol/ogg/page';
import { type OpusHead, isOpusHead, isOpusTags, opusPacketSamples, parseOpusHead } from '../protocol/ogg/opus';
import { ProtocolError } from '../../shared/errors';

/** Append `chunk` to the unconsumed tail of `buf` (from `from`). */
function append(buf: Uint8Array, from: number, chunk: Uint8Array): Uint8Array {
  const rest = buf.length - from;
  if (rest === 0) return chunk.slice();
  const out = new Uint8Array(rest + chunk.length);
  out.set(buf.subarray(from), 0);
  out.set(chunk, rest);
  return out;
}

export interface AccessUnit {
  /** NAL units of the access unit, without start codes; access unit delimiters removed. */
  nalus: Uint8Array[];
  /** Contains an IDR slice. */
  keyframe: boolean;
}

/** first_mb_in_slice == 0 ⇔ the first bit of the slice header (ue(v) '1') is set (7.3.3). */
const firstMbIsZero = (nal: Uint8Array): boolean => ((nal[1] ?? 0) & 0x80) !== 0;

/**
 * Annex B → access units. A new AU starts at an AUD, or at SPS/PPS/SEI after a slice, or at a slice
 * with first_mb_in_slice 0 after a slice (the primary-picture cases of 7.4.1.2.3). An AU is complete
 * when the next one starts, so output lags input by one frame unless flush() is called.
 */
export class AnnexBFramer {
  private buf: Uint8Array = new Uint8Array(0);
  private nalStart = -1; // offset of the current NAL's first byte (after its start code)
  private scanFrom = 0;
  private au: Uint8Array[] = [];
  private auHasVcl = false;

  push(chunk: Uint8Array): AccessUnit[] {
    const out: AccessUnit[] = [];
    const keep = this.nalStart >= 0 ? this.nalStart : Math.max(0, this.scanFrom);
    this.buf = append(this.buf, keep, chunk);
    if (this.nalStart >= 0) this.nalStart -= keep;
    this.scanFrom -= keep;
    for (;;) {
      const sc = findStartCode(this.buf, Math.max(0, this.scanFrom));
      if (sc < 0) {
        // Keep the last 2 bytes scannable: a start code may straddle the chunk boundary.
        this.scanFrom = Math.max(this.nalStart >= 0 ? this.nalStart : 0, this.buf.length - 2);
        return out;
      }
      if (this.nalStart >= 0) {
        const end = trimTrailingZeros(this.buf, this.nalStart, sc);
        if (end > this.nalStart) this.onNal(this.buf.slice(this.nalStart, end), out);
      }
      this.nalStart = sc + 3;
      this.scanFrom = this.nalStart;
    }
  }

  /** End of stream: the pending NAL and AU are complete. */
  flush(): AccessUnit[] {
    const out: AccessUnit[] = [];
    if (this.nalStart >= 0) {
      const end = trimTrailingZeros(this.buf, this.nalStart, this.buf.length);
      if (end > this.nalStart) this.onNal(this.buf.slice(this.nalStart, end), out);
    }
    this.emitAu(out);
    this.buf = new Uint8Array(0);
    this.nalStart = -1;
    this.scanFrom = 0;
    return out;
  }

  private onNal(nal: Uint8Array, out: AccessUnit[]): void {
    const t = nalType(nal);
    const startsAu =
      t === NalType.AUD ||
      (this.auHasVcl && (t === NalType.SPS || t === NalType.PPS || t === NalType.SEI || (isVcl(nal) && firstMbIsZero(nal))));
    if (startsAu) this.emitAu(out);
    if (t === NalType.AUD) return;
    this.au.push(nal);
    if (isVcl(nal)) this.auHasVcl = true;
  }

  private emitAu(out: AccessUnit[]): void {
    if (this.au.length && this.auHasVcl) {
      out.push({ nalus: this.au, keyframe: this.au.some((n) => nalType(n) === NalType.IDR) });
    }
    this.au = [];
    this.auHasVcl = false;
  }
}

export interface AdtsFrame {
  header: AdtsHeader;
  /** raw_data_block(s) without the ADTS header (and CRC). */
  payload: Uint8Array;
}

/** ADTS byte stream → raw AAC frames. Garbage between frames is skipped to the next syncword. */
export class AdtsFramer {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Bytes skipped while looking for a syncword. */
  skippedBytes = 0;

  push(chunk: Uint8Array): AdtsFrame[] {
    this.buf = append(this.buf, this.pos, chunk);
    this.pos = 0;
    const out: AdtsFrame[] = [];
    while (this.buf.length - this.pos >= ADTS_MIN_HEADER) {
      if (!isAdtsSync(this.buf, this.pos)) {
        this.pos++;
        this.skippedBytes++;
        continue;
      }
      let h: AdtsHeader;
      try {
        h = parseAdtsHeader(this.buf, this.pos);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        this.pos++;
        this.skippedBytes++;
        continue;
      }
      if (this.buf.length - this.pos < h.frameLength) break;
      out.push({ header: h, payload: this.buf.slice(this.pos + h.headerLength, this.pos + h.frameLength) });
      this.pos += h.frameLength;
    }
    return out;
  }
}

export interface OpusFrame {
  data: Uint8Array;
  /** Duration in 48 kHz samples, from the TOC byte. */
  samples: number;
}

export interface OggOpusOutput {
  /** Set on the push that saw the identification header. */
  head?: OpusHead;
  headBytes?: Uint8Array;
  packets: OpusFrame[];
}

/** Ogg Opus byte stream → OpusHead + audio packets (OpusTags skipped). Resyncs on bad pages. */
export class OggOpusFramer {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private readonly assembler = new OggPacketAssembler();
  private serial: number | undefined;
  head: OpusHead | undefined;
  skippedBytes = 0;

  push(chunk: Uint8Array): OggOpusOutput {
    this.buf = append(this.buf, this.pos, chunk);
    this.pos = 0;
    const out: OggOpusOutput = { packets: [] };
    while (this.buf.length - this.pos >= 4) {
      if (!isOggCapture(this.buf, this.pos)) {
        this.pos++;
        this.skippedBytes++;
        continue;
      }
      let page;
      try {
        page = parseOggPage(this.buf, this.pos);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        this.pos++;
        this.skippedBytes++;
        continue;
      }
      if (!page) break;
      this.pos += page.length;
      for (const pkt of this.assembler.push(page)) {
        if (isOpusHead(pkt.data) && pkt.bos) {
          this.serial = pkt.serial;
          this.head = parseOpusHead(pkt.data);
          out.head = this.head;
          out.headBytes = pkt.data;
          continue;
        }
        if (pkt.serial !== this.serial || isOpusTags(pkt.data) || pkt.data.length === 0) continue;
        out.packets.push({ data: pkt.data, samples: opusPacketSamples(pkt.data) });
      }
    }
    return out;
  }
}
