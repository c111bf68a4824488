import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Amf0EcmaArray, AMF0_MAX_DEPTH, amf0Props, decodeAmf0, encodeAmf0, type Amf0Value } from '../../../../src/main/protocol/amf0/amf0';
import { ProtocolError } from '../../../../src/shared/errors';
import { FIXTURES, fixture, hex, prng, randomBytes, toHex } from '../rtmp/helpers';

const vectors: [string, Amf0Value, string][] = [
  ['number 1', 1, '003ff0000000000000'],
  ['number -0.5', -0.5, '00bfe0000000000000'],
  ['true', true, '0101'],
  ['false', false, '0100'],
  ['string', 'connect', '020007636f6e6e656374'],
  ['empty string', '', '020000'],
  ['utf-8 string', 'é', '020002c3a9'],
  ['null', null, '05'],
  ['undefined', undefined, '06'],
  ['object', { app: 'live' }, '0300036170700200046c697665000009'],
  ['empty object', {}, '03000009'],
  ['ecma array', new Amf0EcmaArray({ a: 1 }), '0800000001000161003ff0000000000000000009'],
  ['strict array', [1, 'a'], '0a00000002003ff000000000000002000161'],
  ['date', new Date(0), '0b00000000000000000000'],
  ['nested', { o: { n: null } }, '0300016f0300016e05000009000009'],
];

describe('AMF0 encode (byte-exact, AMF0 spec section 2)', () => {
  for (const [name, value, bytes] of vectors) {
    it(name, () => {
      expect(toHex(encodeAmf0(value))).toBe(bytes);
    });
  }

  it('strings over 65535 bytes become long strings (2.14)', () => {
    const s = 'x'.repeat(70000);
    const b = encodeAmf0(s);
    expect(toHex(b.subarray(0, 5))).toBe('0c00011170');
    expect(b.length).toBe(5 + 70000);
    expect(decodeAmf0(b)).toEqual([s]);
  });

  it('encodes the connect command fixture exactly', () => {
    const b = encodeAmf0('connect', 1, { app: 'live', type: 'nonprivate', tcUrl: 'rtmp://localhost/live' });
    expect(toHex(b)).toBe(toHex(fixture('amf0-connect.hex')));
  });
});

describe('AMF0 decode', () => {
  for (const [name, value, bytes] of vectors) {
    it(`${name} round-trips`, () => {
      expect(decodeAmf0(hex(bytes))).toEqual([value]);
    });
  }

  it('decodes a sequence of values (the connect fixture)', () => {
    const [name, txid, obj] = decodeAmf0(fixture('amf0-connect.hex'));
    expect(name).toBe('connect');
    expect(txid).toBe(1);
    expect(obj).toEqual({ app: 'live', type: 'nonprivate', tcUrl: 'rtmp://localhost/live' });
  });

  it('ignores a wrong ECMA array count hint', () => {
    const v = decodeAmf0(hex('08 00000009 0001 61 05 000009'))[0];
    expect(v).toBeInstanceOf(Amf0EcmaArray);
    expect(amf0Props(v ?? null)).toEqual({ a: null });
  });

  it('reads typed objects, XML documents, long strings and unsupported', () => {
    expect(decodeAmf0(hex('10 0001 43 0001 78 0101 000009'))).toEqual([{ x: true }]);
    expect(decodeAmf0(hex('0f 00000002 3c61'))).toEqual(['<a']);
    expect(decodeAmf0(hex('0c 00000001 41'))).toEqual(['A']);
    expect(decodeAmf0(hex('0d'))).toEqual([undefined]);
  });

  it('resolves references to complete objects (2.9)', () => {
    const v = decodeAmf0(hex('0a00000002 03 0001 61 05 000009 07 0001'));
    expect(v).toEqual([[{ a: null }, { a: null }]]);
    const arr = v[0] as Amf0Value[];
    expect(arr[0]).toBe(arr[1]);
  });

  it('refuses a reference to an object still being decoded', () => {
    expect(() => decodeAmf0(hex('03 0001 61 07 0000 000009'))).toThrow(ProtocolError);
  });

  it('keeps "__proto__" as a plain property', () => {
    const v = decodeAmf0(hex('03 0009 5f5f70726f746f5f5f 0101 000009'))[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = new Uint8Array(AMF0_MAX_DEPTH + 5).fill(0x0a);
    const b = new Uint8Array(deep.length * 5);
    for (let i = 0; i < deep.length; i++) b.set([0x0a, 0, 0, 0, 1], i * 5);
    expect(() => decodeAmf0(b)).toThrow(/nested too deeply/);
  });

  it('rejects AMF3 (AVM+ marker 0x11) with a typed ProtocolError', () => {
    const err = (() => {
      try {
        decodeAmf0(fixture('amf0-result-amf3_invalid.hex'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('protocol-violation');
    expect((err as Error).message).toMatch(/AMF3/);
  });

  const bad = readdirSync(FIXTURES).filter((f) => f.startsWith('amf0-') && /_(invalid|truncated)\.hex$/.test(f));
  it('has invalid and truncated fixtures', () => expect(bad.length).toBeGreaterThanOrEqual(5));
  for (const f of bad) {
    it(`${f} → ProtocolError`, () => {
      expect(() => decodeAmf0(fixture(f))).toThrow(ProtocolError);
    });
  }

  it('every truncation of the connect fixture is a ProtocolError', () => {
    const b = fixture('amf0-connect.hex');
    // Cuts that land between top-level values decode fine; all others must throw ProtocolError.
    const boundaries = new Set([0, 10, 19, b.length]);
    for (let n = 1; n < b.length; n++) {
      if (boundaries.has(n)) continue;
      expect(() => decodeAmf0(b.subarray(0, n)), `cut at ${n}`).toThrow(ProtocolError);
    }
  });

  it('random bytes give values or ProtocolError, nothing else', () => {
    const rand = prng(7);
    for (let i = 0; i < 20000; i++) {
      const b = randomBytes(rand, 1 + ((rand() * 40) | 0));
      try {
        decodeAmf0(b);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw new Error(`non-typed error for ${toHex(b)}: ${String(e)}`);
      }
    }
  });
});
