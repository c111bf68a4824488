// Turning one incoming text frame into a base object {op, d}, or the close code the protocol gives
// for it (protocol.md "Connection Notes" and the WebSocketCloseCode table). Pure.
import { CloseCode, type CloseCodeValue } from './protocol';

/** Objects and arrays nested deeper than this are refused before JSON.parse sees them. */
export const MAX_DEPTH = 32;

export type Decoded =
  | { ok: true; op: number; d: Record<string, unknown> }
  | { ok: false; code: CloseCodeValue; reason: string };

/**
 * Deepest bracket nesting of a JSON text, counting only brackets outside strings. Stops early
 * once `limit` is passed, so a hostile 1 MB of '[' costs one short scan, never a deep parse.
 */
export function jsonDepth(text: string, limit = MAX_DEPTH): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: jump to the quote that closes it (one not escaped by an odd run of backslashes).
      let q = i;
      for (;;) {
        q = text.indexOf('"', q + 1);
        if (q < 0) return max; // unterminated: JSON.parse refuses it
        let k = q - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((q - 1 - k) % 2 === 0) break;
      }
      i = q;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for JSON numbers nlohmann::json calls unsigned: non-negative integers. */
export function isUnsigned(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

const fail = (code: CloseCodeValue, reason: string): Decoded => ({ ok: false, code, reason });

/**
 * Decodes a text frame. `identified` matters for one rule: a pre-5.0 client (a `request-type`
 * field at the top level) is told UnsupportedRpcVersion rather than UnknownOpCode.
 */
export function decodeMessage(text: string, identified: boolean): Decoded {
  if (jsonDepth(text) > MAX_DEPTH) return fail(CloseCode.MessageDecodeError, `JSON nested deeper than ${MAX_DEPTH} levels`);
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return fail(CloseCode.MessageDecodeError, 'Unable to decode JSON.');
  }
  if (!isPlainObject(msg)) return fail(CloseCode.MessageDecodeError, 'You sent a non-object payload.');
  if (!identified && 'request-type' in msg) {
    return fail(CloseCode.UnsupportedRpcVersion, 'You appear to be using a pre-5.0.0 obs-websocket protocol.');
  }
  if (!('op' in msg)) return fail(CloseCode.UnknownOpCode, 'Your request is missing an `op`.');
  const op = msg.op;
  if (typeof op !== 'number' || !Number.isInteger(op)) return fail(CloseCode.UnknownOpCode, 'Your `op` is not a number.');
  const d = msg.d;
  if (d === undefined || d === null) return fail(CloseCode.MissingDataField, 'Your payload is missing data (`d`).');
  if (!isPlainObject(d)) return fail(CloseCode.InvalidDataFieldType, "Your payload's data (`d`) is not an object.");
  return { ok: true, op, d };
}
