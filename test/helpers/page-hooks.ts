// Hooks a test installs in the studio page (page.addInitScript) before the studio's own code runs,
// to watch its encoder and media channel and to break them on purpose. The page code is plain
// JavaScript in a string (the node tsconfig has no DOM types); the test drives it with
// page.evaluate on `window.__tandemTest` (see HooksState) through the helpers below.
//
// - VideoEncoder is replaced by a subclass that logs every encode() and output chunk (timestamp,
//   wall time, type, size), can fail on purpose (the encoder closes and its error callback gets an
//   EncodingError, as a real codec failure does), and can make isConfigSupported say no.
// - WebSocket is replaced by a subclass that, for the /media socket only, records how it closed
//   (code and reason) and can corrupt the next encoded chunk it sends, or send an oversized one.
// - The media worker is refused, so those run on the page's thread (see the end of the script).
import type { Page } from 'playwright-core';

export interface HookOptions {
  /** VideoEncoder.isConfigSupported answers {supported: false} from the first call on. */
  unsupported?: boolean;
}

export function studioHooks(opts: HookOptions = {}): string {
  return `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const T = { unsupported: ${opts.unsupported ? 'true' : 'false'}, encodes: [], outputs: [], failures: [], failNext: 0, closes: [], corrupt: null, corrupted: [] };
  window.__tandemTest = T;
  const OrigEncoder = window.VideoEncoder;
  if (OrigEncoder) {
    const supported = OrigEncoder.isConfigSupported.bind(OrigEncoder);
    class TestEncoder extends OrigEncoder {
      constructor(init) {
        super({
          output: (chunk, meta) => {
            T.outputs.push({ ts: chunk.timestamp, at: now(), type: chunk.type, bytes: chunk.byteLength });
            init.output(chunk, meta);
          },
          error: (e) => init.error(e),
        });
        this.__onError = init.error;
      }
      encode(frame, o) {
        if (T.failNext > 0 && this.state === 'configured') {
          T.failNext--;
          T.failures.push(now());
          this.close();
          const cb = this.__onError;
          queueMicrotask(() => cb(new DOMException('simulated encoder failure (test)', 'EncodingError')));
          return;
        }
        T.encodes.push({ ts: frame.timestamp, at: now(), key: !!(o && o.keyFrame) });
        return super.encode(frame, o);
      }
      static isConfigSupported(config) {
        return T.unsupported ? Promise.resolve({ supported: false, config }) : supported(config);
      }
    }
    window.VideoEncoder = TestEncoder;
  }
  const OrigSocket = window.WebSocket;
  class TestSocket extends OrigSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.__media = String(url).includes('/media');
      if (this.__media) this.addEventListener('close', (e) => T.closes.push({ code: e.code, reason: e.reason, at: now() }));
    }
    send(data) {
      if (this.__media && T.corrupt && ArrayBuffer.isView(data) && data.byteLength > 28 && data[0] === 3) {
        const mode = T.corrupt;
        T.corrupt = null;
        T.corrupted.push({ mode, at: now() });
        if (mode === 'oversize') {
          // 17 MiB: over the /media socket's 16 MiB message limit
          const big = new Uint8Array(17 << 20);
          big.set(data.subarray(0, 24));
          new DataView(big.buffer).setUint32(12, big.byteLength - 24, true);
          return super.send(big);
        }
        // 'nal-length': the first NAL unit claims more bytes than the chunk has
        const bad = data.slice();
        new DataView(bad.buffer, bad.byteOffset, bad.byteLength).setUint32(24, 0x7fffffff, false);
        return super.send(bad);
      }
      return super.send(data);
    }
  }
  window.WebSocket = TestSocket;
  // Browser mode runs its encoders and /media socket in a worker (media.worker.ts), which an init
  // script cannot reach (the page's CSP allows no blob worker to wrap it, and a worker script
  // rewritten by page.route lost its WebSocket: closed 1006). Refusing that worker makes the
  // studio run the same encoders and socket on the page's thread (media-link.ts), hooked here.
  const OrigWorker = window.Worker;
  window.Worker = class extends OrigWorker {
    constructor(url, options) {
      if (String(url).includes('media.worker')) throw new DOMException('media worker refused by the test hooks', 'SecurityError');
      super(url, options);
    }
  };
})();`;
}

export interface EncodeRecord {
  ts: number;
  at: number;
  key: boolean;
}
export interface OutputRecord {
  ts: number;
  at: number;
  type: 'key' | 'delta';
  bytes: number;
}
export interface CloseRecord {
  code: number;
  reason: string;
  at: number;
}
export interface HooksState {
  encodes: EncodeRecord[];
  outputs: OutputRecord[];
  failures: number[];
  closes: CloseRecord[];
}

export function readHooks(page: Page): Promise<HooksState> {
  return page.evaluate('({ encodes: __tandemTest.encodes, outputs: __tandemTest.outputs, failures: __tandemTest.failures, closes: __tandemTest.closes })') as Promise<HooksState>;
}

/** The next `n` encode() calls fail (the encoder closes and reports an EncodingError). */
export async function failNextEncode(page: Page, n = 1): Promise<void> {
  await page.evaluate(`__tandemTest.failNext = ${n}`);
}

/** The next encoded chunk the page sends on /media is malformed ('nal-length') or 17 MiB ('oversize'). */
export async function corruptNextChunk(page: Page, mode: 'nal-length' | 'oversize'): Promise<void> {
  await page.evaluate(`__tandemTest.corrupt = ${JSON.stringify(mode)}`);
}

/** The page's wall clock (performance.timeOrigin + now(), ms), to line events up with readHooks(). */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate('performance.timeOrigin + performance.now()') as Promise<number>;
}
