import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../../../src/main/protocol/rtmp/chunk-reader';
import { basicHeader, ChunkWriter, OUTPUT_BLOCK_SIZE } from '../../../../src/main/protocol/rtmp/chunk-writer';
import { abortMessage, MessageType, setChunkSizeMessage, type RtmpMessage } from '../../../../src/main/protocol/rtmp/messages';
import { ProtocolError } from '../../../../src/shared/errors';
import { feedSplit, fixture, hex, prng, randomBytes, toHex } from './helpers';

const msg = (csid: number, timestamp: number, typeId: number, streamId: number, payload: Uint8Array): RtmpMessage => ({
  csid,
  timestamp,
  typeId,
  streamId,
  payload,
});
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('basic header (5.3.1.1)', () => {
  it.each([
    [0, 2, '02'],
    [0, 63, '3f'],
    [1, 64, '4000'],
    [0, 319, '00ff'],
    [0, 320, '010001'],
    [3, 65599, 'c1ffff'],
  ])('fmt %i csid %i → %s', (fmt, csid, out) => {
    expect(toHex(basicHeader(fmt, csid))).toBe(out);
  });

  it('refuses csid 0, 1 and above 65599', () => {
    expect(() => basicHeader(0, 1)).toThrow(ProtocolError);
    expect(() => basicHeader(0, 65600)).toThrow(ProtocolError);
  });

  it('the reader decodes every basic header form', () => {
    for (const csid of [2, 63, 64, 300, 319, 320, 1000, 65599]) {
      const w = new ChunkWriter();
      const bytes = w.write(msg(csid, 5, 20, 0, ascii('x')));
      expect(new ChunkReader().push(bytes)[0]?.csid).toBe(csid);
    }
  });
});

describe('chunk writer (byte-exact)', () => {
  it('chooses header types 0, 1, 2, 3 as the fixture shows', () => {
    const w = new ChunkWriter();
    const out = [
      w.write(msg(3, 0, 20, 0, ascii('abc'))),
      w.write(msg(3, 0, 20, 0, ascii('de'))),
      w.write(msg(3, 10, 20, 0, ascii('fg'))),
      w.write(msg(3, 20, 20, 0, ascii('hi'))),
    ];
    expect(toHex(Buffer.concat(out))).toBe(toHex(fixture('chunk-header-types.hex')));
  });

  it('writes the extended timestamp on type 0 and on type 3 continuation chunks', () => {
    const w = new ChunkWriter();
    const bytes = w.write(msg(6, 0x01000000, 9, 1, new Uint8Array(200).fill(0xbb)));
    expect(toHex(bytes)).toBe(toHex(fixture('chunk-extended-type3.hex')));
  });

  it('uses the extended timestamp exactly from 0xFFFFFF up', () => {
    const w = new ChunkWriter();
    expect(toHex(w.write(msg(3, 0xfffffe, 20, 0, ascii('a'))))).toBe('03fffffe0000011400000000' + '61');
    const w2 = new ChunkWriter();
    expect(toHex(w2.write(msg(3, 0xffffff, 20, 0, ascii('a'))))).toBe('03ffffff00000114' + '00000000' + '00ffffff' + '61');
  });

  it('writes a type 3 new message with the extended delta when the delta repeats', () => {
    const w = new ChunkWriter();
    w.write(msg(5, 0, 20, 0, ascii('a')));
    expect(toHex(w.write(msg(5, 0x1000000, 20, 0, ascii('b'))))).toBe('85ffffff0100000062'); // type 2, ext delta
    expect(toHex(w.write(msg(5, 0x2000000, 20, 0, ascii('c'))))).toBe('c50100000063'); // type 3 + ext delta
    expect(new ChunkReader().push(Buffer.concat([new ChunkWriter().write(msg(5, 0, 20, 0, ascii('a'))), hex('85ffffff0100000062c50100000063')])).map((m) => m.timestamp)).toEqual([
      0, 0x1000000, 0x2000000,
    ]);
  });

  it('goes back to type 0 when the message stream id changes or time goes back', () => {
    const w = new ChunkWriter();
    w.write(msg(3, 100, 20, 0, ascii('a')));
    expect(w.write(msg(3, 100, 20, 1, ascii('a')))[0]! >> 6).toBe(0);
    expect(w.write(msg(3, 50, 20, 1, ascii('a')))[0]! >> 6).toBe(0);
  });

  it('never follows a type 0 header with a type 3 new message (servers disagree on its delta)', () => {
    const w = new ChunkWriter();
    w.write(msg(3, 40, 20, 0, ascii('a')));
    expect(toHex(w.write(msg(3, 80, 20, 0, ascii('a'))))).toBe('8300002861');
  });

  it('splits by the chunk size in effect and changes it after Set Chunk Size', () => {
    const w = new ChunkWriter();
    const payload = randomBytes(prng(1), 5000);
    expect(w.write(msg(6, 0, 9, 1, payload)).length).toBe(12 + 5000 + 39);
    w.write(setChunkSizeMessage(4096));
    w.setChunkSize(4096);
    expect(w.write(msg(6, 0, 9, 1, payload)).length).toBe(1 + 3 + 5000 + 1); // type 2 + one type 3 continuation
  });
});

describe('chunk reader', () => {
  it('decodes the header-type fixture', () => {
    const m = new ChunkReader().push(fixture('chunk-header-types.hex'));
    expect(m.map((x) => [x.csid, x.timestamp, x.typeId, x.streamId, new TextDecoder().decode(x.payload)])).toEqual([
      [3, 0, 20, 0, 'abc'],
      [3, 0, 20, 0, 'de'],
      [3, 10, 20, 0, 'fg'],
      [3, 20, 20, 0, 'hi'],
    ]);
  });

  it('decodes the extended type 3 fixture', () => {
    const m = new ChunkReader().push(fixture('chunk-extended-type3.hex'));
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ csid: 6, timestamp: 0x01000000, typeId: 9, streamId: 1 });
    expect(m[0]?.payload).toEqual(new Uint8Array(200).fill(0xbb));
  });

  it('gives the same messages whole, byte by byte and at every split point', () => {
    const data = Buffer.concat([fixture('chunk-header-types.hex'), fixture('chunk-extended-type3.hex')]);
    const whole = feedSplit(data, []);
    expect(whole).toHaveLength(5);
    expect(feedSplit(data, Array.from({ length: data.length }, (_, i) => i))).toEqual(whole);
    for (let i = 1; i < data.length; i++) expect(feedSplit(data, [i])).toEqual(whole);
    for (let i = 1; i < data.length; i += 7) for (let j = i + 1; j < data.length; j += 13) expect(feedSplit(data, [i, j])).toEqual(whole);
  });

  it('applies the server Set Chunk Size to the chunks that follow', () => {
    const w = new ChunkWriter();
    const big = randomBytes(prng(2), 1000);
    const bytes = Buffer.concat([w.write(setChunkSizeMessage(300)), (w.setChunkSize(300), w.write(msg(4, 7, 8, 1, big)))]);
    const r = new ChunkReader();
    const m = r.push(bytes);
    expect(r.chunkSize).toBe(300);
    expect(m.map((x) => x.typeId)).toEqual([MessageType.SetChunkSize, 8]);
    expect(m[1]?.payload).toEqual(big);
  });

  it('drops a partial message on Abort (5.4.2)', () => {
    const w = new ChunkWriter();
    const first = w.write(msg(4, 0, 8, 1, new Uint8Array(200).fill(1))).subarray(0, 12 + 128); // first chunk only
    const abort = w.write(abortMessage(4));
    const next = hex('04 000005 000003 08 01000000 616263');
    const r = new ChunkReader();
    const m = r.push(Buffer.concat([first, abort, next]));
    expect(m.map((x) => x.typeId)).toEqual([MessageType.Abort, 8]);
    expect(toHex(m[1]!.payload)).toBe('616263');
    expect(m[1]!.timestamp).toBe(5);
  });

  it('type 3 after type 0 reuses the type 0 timestamp as its delta (5.3.1.2.4)', () => {
    const m = new ChunkReader().push(hex('03 000028 000001 14 00000000 61 c3 62'));
    expect(m.map((x) => x.timestamp)).toEqual([40, 80]);
  });

  it('wraps 32-bit timestamps', () => {
    const m = new ChunkReader().push(hex('03 ffffff 000001 14 00000000 fffffff0 61 83 000020 62'));
    expect(m.map((x) => x.timestamp)).toEqual([0xfffffff0, 0x10]);
  });

  it('waits on truncated input without emitting', () => {
    for (const f of ['chunk-message-cut_truncated.hex', 'chunk-header-cut_truncated.hex']) {
      const r = new ChunkReader();
      expect(r.push(fixture(f))).toEqual([]);
      expect(r.buffered).toBeGreaterThan(0);
    }
  });

  it.each([
    ['chunk-fmt1-first_invalid.hex', /before any type 0/],
    ['chunk-set-chunk-size-zero_invalid.hex', /Set Chunk Size of 0/],
    ['chunk-too-large_invalid.hex', /exceeds/],
  ])('%s → ProtocolError', (f, re) => {
    const r = new ChunkReader({ maxMessageSize: 1024 * 1024 });
    expect(() => r.push(fixture(f))).toThrow(ProtocolError);
    expect(() => new ChunkReader({ maxMessageSize: 1024 * 1024 }).push(fixture(f))).toThrow(re);
  });

  it('refuses too many chunk streams', () => {
    const w = new ChunkWriter();
    const r = new ChunkReader({ maxChunkStreams: 8 });
    for (let c = 2; c < 10; c++) r.push(w.write(msg(c, 0, 20, 0, ascii('a'))));
    expect(() => r.push(w.write(msg(10, 0, 20, 0, ascii('a'))))).toThrow(/chunk streams/);
  });

  it('bounds bytes held in partial messages', () => {
    const w = new ChunkWriter();
    const r = new ChunkReader({ maxPendingBytes: 1000 });
    const parts = [2, 3, 4, 5, 6, 7, 8, 9, 10].map((c) => w.write(msg(c, 0, 9, 1, new Uint8Array(500))).subarray(0, 12 + 128));
    expect(() => parts.forEach((p) => r.push(p))).toThrow(/partial messages/);
  });
});

describe('writer → reader round trip (seeded random streams)', () => {
  function stream(seed: number, count: number): { bytes: Uint8Array; messages: RtmpMessage[] } {
    const rand = prng(seed);
    const w = new ChunkWriter();
    const r = new ChunkReader(); // to confirm the writer's output is a valid stream incl. chunk size
    const out: Uint8Array[] = [];
    const messages: RtmpMessage[] = [];
    const ts = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      if (rand() < 0.03) {
        const size = 1 + ((rand() * 6000) | 0);
        const m = setChunkSizeMessage(size);
        out.push(w.write(m));
        w.setChunkSize(size);
        messages.push(m);
        continue;
      }
      const csid = [3, 4, 6, 70, 400][(rand() * 5) | 0]!;
      let t = ts.get(csid) ?? (rand() < 0.2 ? 0xfffff0 : 0);
      const jump = rand();
      t = jump < 0.05 ? (t + 0x1000000) >>> 0 : jump < 0.1 ? Math.max(0, t - 100) : jump < 0.4 ? t : t + ((rand() * 40) | 0);
      ts.set(csid, t);
      const m = msg(csid, t, [8, 9, 18, 20][(rand() * 4) | 0]!, rand() < 0.8 ? 1 : 0, randomBytes(rand, (rand() * (rand() < 0.1 ? 9000 : 300)) | 0));
      out.push(w.write(m));
      messages.push(m);
    }
    const bytes = Buffer.concat(out);
    expect(r.push(bytes)).toHaveLength(messages.length);
    return { bytes: new Uint8Array(bytes), messages };
  }

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: whole and random splits decode to the messages written`, () => {
      const { bytes, messages } = stream(seed, 400);
      expect(feedSplit(bytes, [])).toEqual(messages);
      const rand = prng(seed * 100);
      const cuts: number[] = [];
      for (let p = 0; p < bytes.length; p += 1 + ((rand() * 300) | 0)) cuts.push(p);
      expect(feedSplit(bytes, cuts)).toEqual(messages);
    });
  }

  it('byte by byte over a long random stream', () => {
    const { bytes, messages } = stream(9, 60);
    const r = new ChunkReader();
    const got: RtmpMessage[] = [];
    for (let i = 0; i < bytes.length; i++) got.push(...r.push(bytes.subarray(i, i + 1)));
    expect(got).toEqual(messages);
  });
});

describe('chunk writer output blocks and payload parts', () => {
  /** Where two byte strings first differ (their length when one is a prefix), or -1: small failure output. */
  const firstDiff = (a: Uint8Array, b: Uint8Array): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
    return a.length === b.length ? -1 : Math.min(a.length, b.length);
  };
  /** `payload` cut at random points into parts, some of them empty. */
  function cut(rand: () => number, payload: Uint8Array): Uint8Array[] {
    const parts: Uint8Array[] = [];
    for (let p = 0; p < payload.length; ) {
      const n = rand() < 0.1 ? 0 : 1 + ((rand() * (rand() < 0.5 ? 6 : 3000)) | 0);
      parts.push(payload.subarray(p, Math.min(payload.length, p + n)));
      p += n;
    }
    if (rand() < 0.5) parts.push(new Uint8Array(0));
    return parts;
  }

  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: a payload in parts gives the same bytes as the joined payload`, () => {
      const rand = prng(seed);
      const whole = new ChunkWriter();
      const inParts = new ChunkWriter();
      for (let i = 0; i < 300; i++) {
        if (rand() < 0.05) {
          const size = 1 + ((rand() * 5000) | 0);
          whole.setChunkSize(size);
          inParts.setChunkSize(size);
        }
        const payload = randomBytes(rand, (rand() * (rand() < 0.2 ? 20000 : 500)) | 0);
        const m = msg([4, 6, 70, 400][(rand() * 4) | 0]!, rand() < 0.1 ? 0x1000000 + i : i * 33, 9, 1, payload);
        expect(firstDiff(inParts.write({ ...m, payload: cut(rand, payload) }), whole.write(m))).toBe(-1);
      }
    });
  }

  it('consecutive messages are adjacent views of one block, never overwritten later', () => {
    const w = new ChunkWriter();
    w.setChunkSize(4096);
    const rand = prng(7);
    const outs: { view: Uint8Array; copy: Uint8Array }[] = [];
    let total = 0;
    while (total < 3 * OUTPUT_BLOCK_SIZE) {
      const view = w.write(msg(6, outs.length * 33, 9, 1, randomBytes(rand, 100 + ((rand() * 12000) | 0))));
      outs.push({ view, copy: view.slice() });
      total += view.length;
    }
    let adjacent = 0;
    for (let i = 1; i < outs.length; i++) {
      const a = outs[i - 1]!.view;
      const b = outs[i]!.view;
      if (a.buffer === b.buffer) {
        expect(b.byteOffset).toBe(a.byteOffset + a.byteLength);
        adjacent++;
      }
    }
    expect(adjacent).toBeGreaterThan(outs.length - 6); // a new block only every ~256 KiB
    for (const o of outs) expect(firstDiff(o.view, o.copy)).toBe(-1);
  });

  it('a message over a quarter block (a keyframe) gets a buffer of its own and decodes', () => {
    const w = new ChunkWriter();
    w.setChunkSize(4096);
    const small = w.write(msg(4, 0, 8, 1, ascii('aac')));
    const payload = randomBytes(prng(8), OUTPUT_BLOCK_SIZE / 4 + 1);
    const big = w.write({ csid: 6, timestamp: 0, typeId: 9, streamId: 1, payload: [payload.subarray(0, 5), payload.subarray(5)] });
    expect(big.buffer).not.toBe(small.buffer);
    expect(big.byteLength).toBe(big.buffer.byteLength);
    const r = new ChunkReader();
    r.push(w.write(setChunkSizeMessage(4096)));
    const [m] = r.push(big);
    expect(firstDiff(m!.payload, payload)).toBe(-1);
  });
});
