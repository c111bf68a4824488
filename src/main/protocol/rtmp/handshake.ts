// The simple RTMP handshake, client side. Spec: RTMP Specification 1.0, 5.2: C0/S0 (5.2.2, one
// version byte, 3), C1/S1 (5.2.3: time(4) + zero(4) + 1528 random bytes), C2/S2 (5.2.4: the
// peer's time, the time we read it, and the peer's random bytes echoed), 5.2.5 state diagram.
// C1's zero field is kept zero, which makes servers that also know the complex (digest)
// handshake fall back to this one.
import { ProtocolError } from '../../../shared/errors';
import { concatBytes, copyBytes } from '../amf0/bytes';

export const RTMP_VERSION = 3;
export const HANDSHAKE_SIZE = 1536;

export interface HandshakeResult {
  /** C2, to send now. */
  c2: Uint8Array;
  /** Bytes that followed S2 in the same read: the start of the chunk stream. */
  rest: Uint8Array;
  /** S1's time field (the server's epoch). */
  serverTime: number;
}

export class ClientHandshake {
  private buf: Uint8Array = new Uint8Array(0);
  private done = false;
  readonly c1: Uint8Array;

  /**
   * @param time our epoch in ms (C1's time field)
   * @param random 1528 random bytes for C1 (injectable for tests)
   */
  constructor(
    private readonly time: number,
    random: Uint8Array,
  ) {
    if (random.length !== HANDSHAKE_SIZE - 8) throw new ProtocolError('C1 needs 1528 random bytes');
    this.c1 = new Uint8Array(HANDSHAKE_SIZE);
    new DataView(this.c1.buffer).setUint32(0, time >>> 0);
    this.c1.set(random, 8);
  }

  /** C0 + C1, the client's first flight. */
  c0c1(): Uint8Array {
    const out = new Uint8Array(1 + HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    out.set(this.c1, 1);
    return out;
  }

  /** Feed server bytes; returns the result once S0+S1+S2 are complete, else undefined. */
  push(data: Uint8Array, now: number): HandshakeResult | undefined {
    if (this.done) throw new ProtocolError('handshake already complete');
    this.buf = this.buf.length ? concatBytes([this.buf, data]) : data;
    if (this.buf.length >= 1 && this.buf[0] !== RTMP_VERSION) {
      throw new ProtocolError(`server answered with RTMP version ${this.buf[0]}, not 3 (is this an RTMP server? RTMPS needs rtmps://)`);
    }
    const need = 1 + 2 * HANDSHAKE_SIZE;
    if (this.buf.length < need) return undefined;
    const s1 = this.buf.subarray(1, 1 + HANDSHAKE_SIZE);
    const c2 = new Uint8Array(HANDSHAKE_SIZE);
    c2.set(s1);
    new DataView(c2.buffer).setUint32(4, now >>> 0); // time2: when we read S1 (5.2.4)
    const serverTime = new DataView(s1.buffer, s1.byteOffset, 4).getUint32(0);
    const rest = copyBytes(this.buf, need);
    this.buf = new Uint8Array(0);
    this.done = true;
    return { c2, rest, serverTime };
  }
}
