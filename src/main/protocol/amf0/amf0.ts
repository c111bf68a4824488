// AMF0 encode and decode. Spec: Adobe "Action Message Format -- AMF 0" (December 2007),
// section 2 (type markers 2.1, number 2.2, boolean 2.3, string 2.4, object 2.5, null 2.7,
// undefined 2.8, reference 2.9, ECMA array 2.10, object end 2.11, strict array 2.12, date 2.13,
// long string 2.14, unsupported 2.15, XML document 2.17, typed object 2.18) and section 3.1
// (the AVM+ marker 0x11 that switches to AMF3: rejected here with a typed ProtocolError).
import { ProtocolError } from '../../../shared/errors';
import { ByteReader, ByteWriter, decodeUtf8, encodeUtf8 } from './bytes';

export const Amf0Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  RecordSet: 0x0e,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
  AvmPlus: 0x11,
} as const;

export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Amf0Value[]
  | Amf0EcmaArray
  | Amf0Object;

export interface Amf0Object {
  [key: string]: Amf0Value;
}

/** An ECMA array (2.10): an associative array with a count hint, used by onMetaData. */
export class Amf0EcmaArray {
  constructor(readonly entries: Amf0Object = {}) {}
}

/** Nesting deeper than this is refused, so hostile input cannot exhaust the stack. */
export const AMF0_MAX_DEPTH = 64;

// ---------------------------------------------------------------------------------------------
// Encoding

function writeUtf8(w: ByteWriter, s: string, long: boolean): void {
  const b = encodeUtf8(s);
  if (long) w.u32(b.length);
  else {
    if (b.length > 0xffff) throw new ProtocolError('AMF0 property name longer than 65535 bytes');
    w.u16(b.length);
  }
  w.bytes(b);
}

function writeProperties(w: ByteWriter, obj: Amf0Object, depth: number): void {
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    writeUtf8(w, key, false);
    writeValue(w, v, depth + 1);
  }
  w.u16(0).u8(Amf0Marker.ObjectEnd);
}

function writeValue(w: ByteWriter, v: Amf0Value, depth: number): void {
  if (depth > AMF0_MAX_DEPTH) throw new ProtocolError('AMF0 value nested too deeply');
  if (v === null) w.u8(Amf0Marker.Null);
  else if (v === undefined) w.u8(Amf0Marker.Undefined);
  else if (typeof v === 'number') w.u8(Amf0Marker.Number).f64(v);
  else if (typeof v === 'boolean') w.u8(Amf0Marker.Boolean).u8(v ? 1 : 0);
  else if (typeof v === 'string') {
    const b = encodeUtf8(v);
    if (b.length > 0xffff) w.u8(Amf0Marker.LongString).u32(b.length).bytes(b);
    else w.u8(Amf0Marker.String).u16(b.length).bytes(b);
  } else if (v instanceof Date) w.u8(Amf0Marker.Date).f64(v.getTime()).i16(0);
  else if (Array.isArray(v)) {
    w.u8(Amf0Marker.StrictArray).u32(v.length);
    for (const item of v) writeValue(w, item, depth + 1);
  } else if (v instanceof Amf0EcmaArray) {
    w.u8(Amf0Marker.EcmaArray).u32(Object.keys(v.entries).length);
    writeProperties(w, v.entries, depth);
  } else {
    w.u8(Amf0Marker.Object);
    writeProperties(w, v, depth);
  }
}

/** Encode a sequence of AMF0 values back to back (a command or data message body). */
export function encodeAmf0(...values: Amf0Value[]): Uint8Array {
  const w = new ByteWriter(128);
  for (const v of values) writeValue(w, v, 0);
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// Decoding

function setProp(obj: Amf0Object, key: string, v: Amf0Value): void {
  // defineProperty, so a key named "__proto__" is an ordinary property, not a prototype change.
  Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
}

class Amf0Decoder {
  /** Complex values seen so far, for 2.9 references; null while still being decoded. */
  private readonly refs: (Amf0Value | null)[] = [];
  constructor(private readonly r: ByteReader) {}

  private str(len: number): string {
    return decodeUtf8(this.r.bytes(len));
  }

  private properties(obj: Amf0Object, depth: number): void {
    for (;;) {
      const keyLen = this.r.u16();
      if (keyLen === 0 && this.r.remaining > 0 && this.r.buf[this.r.pos] === Amf0Marker.ObjectEnd) {
        this.r.pos++;
        return;
      }
      const key = this.str(keyLen);
      setProp(obj, key, this.value(depth + 1));
    }
  }

  value(depth = 0): Amf0Value {
    if (depth > AMF0_MAX_DEPTH) throw new ProtocolError('AMF0 value nested too deeply');
    const marker = this.r.u8();
    switch (marker) {
      case Amf0Marker.Number:
        return this.r.f64();
      case Amf0Marker.Boolean:
        return this.r.u8() !== 0;
      case Amf0Marker.String:
        return this.str(this.r.u16());
      case Amf0Marker.LongString:
      case Amf0Marker.XmlDocument: {
        const len = this.r.u32();
        this.r.need(len);
        return this.str(len);
      }
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
      case Amf0Marker.Unsupported:
        return undefined;
      case Amf0Marker.TypedObject:
      case Amf0Marker.Object: {
        if (marker === Amf0Marker.TypedObject) this.str(this.r.u16()); // class name: not needed
        const obj: Amf0Object = {};
        const idx = this.refs.push(null) - 1;
        this.properties(obj, depth);
        this.refs[idx] = obj;
        return obj;
      }
      case Amf0Marker.EcmaArray: {
        this.r.u32(); // count: a hint only (2.10); servers get it wrong, the end marker decides
        const arr = new Amf0EcmaArray({});
        const idx = this.refs.push(null) - 1;
        this.properties(arr.entries, depth);
        this.refs[idx] = arr;
        return arr;
      }
      case Amf0Marker.StrictArray: {
        const count = this.r.u32();
        // Every element takes at least one byte: a count larger than what is left is a lie.
        this.r.need(count);
        const arr: Amf0Value[] = [];
        const idx = this.refs.push(null) - 1;
        for (let i = 0; i < count; i++) arr.push(this.value(depth + 1));
        this.refs[idx] = arr;
        return arr;
      }
      case Amf0Marker.Date: {
        const ms = this.r.f64();
        this.r.i16(); // time zone: reserved, should be 0x0000 (2.13)
        return new Date(ms);
      }
      case Amf0Marker.Reference: {
        const i = this.r.u16();
        const v = this.refs[i];
        if (v === undefined || v === null) throw new ProtocolError(`AMF0 reference ${i} does not name a complete object`);
        return v;
      }
      case Amf0Marker.AvmPlus:
        throw new ProtocolError('AMF3 value (AVM+ marker 0x11) is not supported: the server must speak AMF0');
      case Amf0Marker.ObjectEnd:
        throw new ProtocolError('AMF0 object-end marker outside an object');
      default:
        throw new ProtocolError(`unknown AMF0 type marker 0x${marker.toString(16).padStart(2, '0')}`);
    }
  }
}

/** Decode every AMF0 value in `bytes`. Throws ProtocolError on malformed or truncated input. */
export function decodeAmf0(bytes: Uint8Array): Amf0Value[] {
  const r = new ByteReader(bytes, 'AMF0 data');
  const d = new Amf0Decoder(r);
  const out: Amf0Value[] = [];
  while (r.remaining > 0) out.push(d.value());
  return out;
}

/** Type guard for an object-like AMF0 value (object or ECMA array), returning its properties. */
export function amf0Props(v: Amf0Value): Amf0Object | undefined {
  if (v instanceof Amf0EcmaArray) return v.entries;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) return v;
  return undefined;
}
