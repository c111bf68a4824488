// Incremental FLV reader for tests (ffmpeg's `-f flv` output, our own recorder's input): push
// bytes in any split, get whole tags out. FLV spec 10.1 E.2 header, E.3 body, E.4.1 tag header.
import { ProtocolError } from '../../src/shared/errors';
import { concatBytes, copyBytes } from '../../src/main/protocol/amf0/bytes';
import type { FlvTag } from '../../src/main/protocol/flv/file';

/** Incremental FLV reader: push bytes in any split, get whole tags out. */
export class FlvReader {
  private buf: Uint8Array = new Uint8Array(0);
  private headerDone = false;

  constructor(private readonly maxTagSize = 16 * 1024 * 1024) {}

  push(chunk: Uint8Array): FlvTag[] {
    this.buf = this.buf.length ? concatBytes([this.buf, chunk]) : chunk;
    const tags: FlvTag[] = [];
    let p = 0;
    const b = this.buf;
    if (!this.headerDone) {
      if (b.length < 9) return tags;
      if (b[0] !== 0x46 || b[1] !== 0x4c || b[2] !== 0x56) throw new ProtocolError('not an FLV stream (missing "FLV" signature)');
      const dataOffset = (((b[5] as number) << 24) | ((b[6] as number) << 16) | ((b[7] as number) << 8) | (b[8] as number)) >>> 0;
      if (dataOffset < 9 || dataOffset > 1024) throw new ProtocolError(`bad FLV header size ${dataOffset}`);
      if (b.length < dataOffset + 4) return tags;
      p = dataOffset + 4;
      this.headerDone = true;
    }
    for (;;) {
      if (b.length - p < 11) break;
      const size = ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number);
      if (size > this.maxTagSize) throw new ProtocolError(`FLV tag of ${size} bytes exceeds the limit`);
      if (b.length - p < 11 + size + 4) break;
      const ts = (((b[p + 7] as number) << 24) | ((b[p + 4] as number) << 16) | ((b[p + 5] as number) << 8) | (b[p + 6] as number)) >>> 0;
      tags.push({ type: (b[p] as number) & 0x1f, timestamp: ts, body: copyBytes(b, p + 11, p + 11 + size) });
      p += 11 + size + 4;
    }
    this.buf = b.subarray(p);
    return tags;
  }
}
