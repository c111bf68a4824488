// Test helpers: hex, a seeded PRNG, fixture loading and a scripted fake RTMP server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkReader } from '../../../../src/main/protocol/rtmp/chunk-reader';
import { ChunkWriter } from '../../../../src/main/protocol/rtmp/chunk-writer';
import { parseCommand, MessageType, type Command, type RtmpMessage } from '../../../../src/main/protocol/rtmp/messages';
export { prng } from '../../../helpers/prng';

export const FIXTURES = join(__dirname, '../../../fixtures/rtmp');

export function hex(s: string): Uint8Array {
  const clean = s.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  if (clean.length % 2) throw new Error('odd hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A .hex fixture: hex digits, whitespace and # comments. */
export const fixture = (name: string): Uint8Array => hex(readFileSync(join(FIXTURES, name), 'utf8'));


export const randomBytes = (rand: () => number, n: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (rand() * 256) | 0;
  return b;
};

/** Feed `data` to a fresh reader cut at the given offsets. */
export function feedSplit(data: Uint8Array, cuts: number[], make = () => new ChunkReader()): RtmpMessage[] {
  const r = make();
  const out: RtmpMessage[] = [];
  let prev = 0;
  for (const c of [...cuts, data.length]) {
    out.push(...r.push(data.subarray(prev, c)));
    prev = c;
  }
  return out;
}

/** The server side of a session, scripted by the test. */
export class FakeServer {
  readonly reader = new ChunkReader();
  readonly writer = new ChunkWriter();
  readonly messages: RtmpMessage[] = [];
  private hsBuf: number[] = [];
  c1: Uint8Array | undefined;
  c2: Uint8Array | undefined;

  feed(bytes: Uint8Array): void {
    let data = bytes;
    if (!this.c2) {
      const need = 1537 + 1536 - this.hsBuf.length;
      const take = data.subarray(0, need);
      this.hsBuf.push(...take);
      data = data.subarray(take.length);
      if (this.hsBuf.length >= 1537 && !this.c1) this.c1 = new Uint8Array(this.hsBuf.slice(1, 1537));
      if (this.hsBuf.length === 1537 + 1536) this.c2 = new Uint8Array(this.hsBuf.slice(1537));
    }
    if (data.length) this.messages.push(...this.reader.push(data));
  }

  /** S0 + S1 + S2 (S2 echoes C1). */
  handshake(): Uint8Array {
    const out = new Uint8Array(1 + 1536 * 2);
    out[0] = 3;
    out.fill(0x5a, 9, 1537); // S1 random
    if (this.c1) out.set(this.c1, 1537);
    return out;
  }

  send(...msgs: RtmpMessage[]): Uint8Array {
    const out: Uint8Array[] = [];
    for (const m of msgs) {
      out.push(this.writer.write(m));
      if (m.typeId === MessageType.SetChunkSize) this.writer.setChunkSize(new DataView(m.payload.buffer, m.payload.byteOffset).getUint32(0));
    }
    return new Uint8Array(Buffer.concat(out));
  }

  commands(): Command[] {
    return this.messages.filter((m) => m.typeId === MessageType.CommandAmf0).map(parseCommand);
  }
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
