// Carries media from the renderer to the engine, and the engine's control messages back
// (docs/ARCHITECTURE.md "Media path"): encoded chunks and their decoder configs (WebCodecs), raw
// I420 frames (the ffmpeg path) and s16 PCM. Browser mode: a WebSocket at /media (same token and
// origin rules as /api), control as JSON text frames. Desktop: the preload's sendMedia (IPC), control
// through its onMediaControl. Under WebSocket backpressure, raw frames are dropped (counted);
// chunks and audio are never dropped here (an encoded stream cannot lose a frame silently).
import { encodeAudio, encodeChunk, encodeConfig, writeVideoHeader, type MediaControl } from '../../../shared/media-wire';

export interface MediaLink {
  /** `msg` holds the I420 picture from offset MEDIA_HEADER on; the header is filled in here. */
  sendVideo(width: number, height: number, captureTimeUs: number, msg: Uint8Array): boolean;
  sendChunk(group: number, keyframe: boolean, encodeUs: number, captureUs: number, avcc: Uint8Array): void;
  sendConfig(group: number, avcC: Uint8Array): void;
  sendAudio(sampleRate: number, channels: number, captureTimeUs: number, pcm: Int16Array): void;
  /** The engine's control messages (which encoders to run, keyframes, bitrates). */
  onControl(listener: (msg: MediaControl) => void): () => void;
  readonly bytesSent: number;
  readonly videoDropped: number;
  close(): void;
}

/** Raw frames are dropped while more than this many bytes wait in the socket (≈ 6 frames at 720p). */
const MAX_BUFFERED = 8 * 1024 * 1024;

function parseControl(data: unknown): MediaControl | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const m = JSON.parse(data) as MediaControl;
    return typeof m === 'object' && m !== null && typeof m.type === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

class Counter {
  bytes = 0;
  dropped = 0;
}

export function webSocketMediaLink(url: string): MediaLink {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const c = new Counter();
  const listeners = new Set<(m: MediaControl) => void>();
  ws.onmessage = (ev: MessageEvent<unknown>) => {
    const m = parseControl(ev.data);
    if (m) for (const fn of listeners) fn(m);
  };
  const send = (msg: Uint8Array): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(msg);
    c.bytes += msg.byteLength;
  };
  return {
    sendVideo(w, h, t, data) {
      if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > MAX_BUFFERED) {
        c.dropped++;
        return false;
      }
      send(writeVideoHeader(data, w, h, t));
      return true;
    },
    sendChunk: (g, key, enc, t, avcc) => send(encodeChunk(g, key, enc, t, avcc)),
    sendConfig: (g, avcC) => send(encodeConfig(g, avcC)),
    sendAudio: (rate, ch, t, pcm) => send(encodeAudio(rate, ch, t, pcm)),
    onControl(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    get bytesSent() {
      return c.bytes;
    },
    get videoDropped() {
      return c.dropped;
    },
    close() {
      listeners.clear();
      ws.close();
    },
  };
}

/** Electron: through the preload's sendMedia / onMediaControl (IPC). */
export function bridgeMediaLink(send: (msg: Uint8Array) => void, onControl: (fn: (msg: unknown) => void) => () => void): MediaLink {
  const c = new Counter();
  const listeners = new Set<(m: MediaControl) => void>();
  const off = onControl((msg) => {
    const m = typeof msg === 'object' && msg !== null ? (msg as MediaControl) : undefined;
    if (m && typeof m.type === 'string') for (const fn of listeners) fn(m);
  });
  const out = (msg: Uint8Array): void => {
    send(msg);
    c.bytes += msg.byteLength;
  };
  return {
    sendVideo(w, h, t, data) {
      out(writeVideoHeader(data, w, h, t));
      return true;
    },
    sendChunk: (g, key, enc, t, avcc) => out(encodeChunk(g, key, enc, t, avcc)),
    sendConfig: (g, avcC) => out(encodeConfig(g, avcC)),
    sendAudio: (rate, ch, t, pcm) => out(encodeAudio(rate, ch, t, pcm)),
    onControl(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    get bytesSent() {
      return c.bytes;
    },
    videoDropped: 0,
    close() {
      listeners.clear();
      off();
    },
  };
}
