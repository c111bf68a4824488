// Carries media from the renderer to the engine, and the engine's control messages back
// (docs/ARCHITECTURE.md "Media path"): encoded chunks and their decoder configs (WebCodecs), raw
// I420 frames (the ffmpeg path) and s16 PCM. The link owns the WebCodecs encoder groups
// (video-encoders.ts) and follows the engine's control messages for them (which encoders,
// keyframes, bitrates) where they arrive, so a keyframe asked for is encoded at once.
// - Browser mode: the /media WebSocket (same token and origin rules as /api), control as JSON text
//   frames, with the encoders, in a Worker (media.worker.ts): the page's thread is busy with the
//   compositor for most of every frame on software GL. Where no worker can be made, the same on
//   the page's thread. Under WebSocket backpressure, raw frames are dropped (counted).
// - Desktop: the preload's sendMedia (IPC), control through its onMediaControl, encoders on the
//   page's thread.
// Chunks and audio are never dropped here (an encoded stream cannot lose a frame silently).
import { encodeAudio, encodeChunk, encodeConfig, writeVideoHeader, type MediaControl } from '../../../shared/media-wire';
import { EncoderSet, type EncoderSetStats } from './video-encoders';
import { MAX_BUFFERED, parseControl, type FromMediaWorker, type MediaWorkerStats, type ToMediaWorker } from './media-worker-wire';
import MediaWorker from './media.worker.ts?worker';

export interface MediaLink {
  /** `msg` holds the I420 picture from offset MEDIA_HEADER on; the header is filled in here (the link takes `msg`). */
  sendVideo(width: number, height: number, captureTimeUs: number, msg: Uint8Array): boolean;
  sendAudio(sampleRate: number, channels: number, captureTimeUs: number, pcm: Int16Array): void;
  /** One program frame for the encoder groups (the caller keeps `frame` and closes it). */
  encode(frame: VideoFrame): void;
  /** Encoder groups running (0: none yet, or the ffmpeg path). */
  readonly encoding: number;
  readonly encoderStats: EncoderSetStats;
  /** The engine's control messages (which encoders to run, keyframes, bitrates); the link has already applied them. */
  onControl(listener: (msg: MediaControl) => void): () => void;
  /** WebCodecs cannot go on here (unsupported config, or broke twice). */
  onFailure(listener: (reason: string) => void): () => void;
  readonly bytesSent: number;
  readonly videoDropped: number;
  close(): void;
}

/** Listener sets of a link. */
class Listeners {
  readonly control = new Set<(m: MediaControl) => void>();
  readonly failure = new Set<(reason: string) => void>();
  emitControl(m: MediaControl): void {
    for (const fn of this.control) fn(m);
  }
  emitFailure(reason: string): void {
    for (const fn of this.failure) fn(reason);
  }
  clear(): void {
    this.control.clear();
    this.failure.clear();
  }
}

const transferable = (b: Uint8Array): Transferable[] => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? [b.buffer] : []);

/**
 * Browser mode: the /media WebSocket and the encoders in media.worker.ts, or on the page's
 * thread where no worker can be made.
 */
export function browserMediaLink(url: string): MediaLink {
  let worker: Worker;
  try {
    worker = new MediaWorker();
  } catch {
    return socketMediaLink(url);
  }
  return workerMediaLink(worker, url);
}

function workerMediaLink(worker: Worker, url: string): MediaLink {
  const l = new Listeners();
  let st: MediaWorkerStats = { bytes: 0, dropped: 0, size: 0, encoders: { encoders: 0, dropped: 0, restarts: 0, lastError: undefined } };
  const post = (m: ToMediaWorker, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);
  worker.onmessage = (ev: MessageEvent<FromMediaWorker>) => {
    const m = ev.data;
    if (m.type === 'control') l.emitControl(m.msg);
    else if (m.type === 'failure') l.emitFailure(m.reason);
    else st = m;
  };
  post({ type: 'open', url });
  const sendBytes = (data: Uint8Array, raw: boolean): void => post({ type: 'send', data, raw }, transferable(data));
  return {
    sendVideo(w, h, t, data) {
      sendBytes(writeVideoHeader(data, w, h, t), true);
      return true;
    },
    sendAudio: (rate, ch, t, pcm) => sendBytes(encodeAudio(rate, ch, t, pcm), false),
    encode(frame) {
      const copy = frame.clone();
      post({ type: 'frame', frame: copy }, [copy]);
    },
    get encoding() {
      return st.size;
    },
    get encoderStats() {
      return st.encoders;
    },
    onControl(fn) {
      l.control.add(fn);
      return () => l.control.delete(fn);
    },
    onFailure(fn) {
      l.failure.add(fn);
      return () => l.failure.delete(fn);
    },
    get bytesSent() {
      return st.bytes;
    },
    get videoDropped() {
      return st.dropped;
    },
    close() {
      l.clear();
      post({ type: 'close' });
    },
  };
}

/** Electron: through the preload's sendMedia / onMediaControl (IPC). */
export function bridgeMediaLink(send: (msg: Uint8Array) => void, onControl: (fn: (msg: unknown) => void) => () => void): MediaLink {
  return pageMediaLink({
    send,
    onControl: (fn) => onControl((msg) => fn(typeof msg === 'object' && msg !== null ? (msg as MediaControl) : undefined)),
    rawOk: () => true,
    close: () => undefined,
  });
}

/** Browser mode without a media worker (none can be made here): the /media WebSocket on the page's thread. */
function socketMediaLink(url: string): MediaLink {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  return pageMediaLink({
    send: (msg) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(msg);
    },
    onControl: (fn) => {
      const on = (ev: MessageEvent<unknown>): void => fn(parseControl(ev.data));
      ws.addEventListener('message', on);
      return () => ws.removeEventListener('message', on);
    },
    rawOk: () => ws.readyState === WebSocket.OPEN && ws.bufferedAmount <= MAX_BUFFERED,
    close: () => ws.close(),
  });
}

interface PageChannel {
  send: (msg: Uint8Array) => void;
  onControl: (fn: (msg: MediaControl | undefined) => void) => () => void;
  /** Whether a raw frame may be sent now (false: dropped, counted). */
  rawOk: () => boolean;
  close: () => void;
}

/** A link whose encoders run on the page's thread. */
function pageMediaLink(ch: PageChannel): MediaLink {
  const l = new Listeners();
  let bytes = 0;
  let dropped = 0;
  const out = (msg: Uint8Array): void => {
    ch.send(msg);
    bytes += msg.byteLength;
  };
  const encoders = new EncoderSet(
    {
      chunk: (g, key, enc, t, avcc) => out(encodeChunk(g, key, enc, t, avcc)),
      config: (g, avcC) => out(encodeConfig(g, avcC)),
    },
    (reason) => l.emitFailure(reason),
  );
  const off = ch.onControl((m) => {
    if (!m || typeof m.type !== 'string') return;
    void encoders.control(m);
    l.emitControl(m);
  });
  return {
    sendVideo(w, h, t, data) {
      if (!ch.rawOk()) {
        dropped++;
        return false;
      }
      out(writeVideoHeader(data, w, h, t));
      return true;
    },
    sendAudio: (rate, ch2, t, pcm) => out(encodeAudio(rate, ch2, t, pcm)),
    encode: (frame) => encoders.encode(frame),
    get encoding() {
      return encoders.size;
    },
    get encoderStats() {
      return encoders.stats();
    },
    onControl(fn) {
      l.control.add(fn);
      return () => l.control.delete(fn);
    },
    onFailure(fn) {
      l.failure.add(fn);
      return () => l.failure.delete(fn);
    },
    get bytesSent() {
      return bytes;
    },
    get videoDropped() {
      return dropped;
    },
    close() {
      l.clear();
      encoders.close();
      off();
      ch.close();
    },
  };
}
