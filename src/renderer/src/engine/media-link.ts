// Carries raw frames and PCM from the renderer to the engine. Browser mode: a binary WebSocket
// at /media (same token and origin rules as /api). Under backpressure video frames are dropped
// (counted); audio is never dropped.
import { encodeAudio, writeVideoHeader } from '../../../shared/media-wire';

export interface MediaLink {
  /** `msg` holds the I420 picture from offset MEDIA_HEADER on; the header is filled in here. */
  sendVideo(width: number, height: number, captureTimeUs: number, msg: Uint8Array): boolean;
  sendAudio(sampleRate: number, channels: number, captureTimeUs: number, pcm: Int16Array): void;
  readonly bytesSent: number;
  readonly videoDropped: number;
  close(): void;
}

/** Video is dropped while more than this many bytes wait in the socket (≈ 6 frames at 720p). */
const MAX_BUFFERED = 8 * 1024 * 1024;

export function webSocketMediaLink(url: string): MediaLink {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  let bytesSent = 0;
  let videoDropped = 0;
  const send = (msg: Uint8Array) => {
    ws.send(msg);
    bytesSent += msg.byteLength;
  };
  return {
    sendVideo(w, h, t, data) {
      if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > MAX_BUFFERED) {
        videoDropped++;
        return false;
      }
      send(writeVideoHeader(data, w, h, t));
      return true;
    },
    sendAudio(rate, ch, t, pcm) {
      if (ws.readyState === WebSocket.OPEN) send(encodeAudio(rate, ch, t, pcm));
    },
    get bytesSent() {
      return bytesSent;
    },
    get videoDropped() {
      return videoDropped;
    },
    close() {
      ws.close();
    },
  };
}

/** Electron: through the preload's sendMedia (IPC). The engine side drops nothing. */
export function bridgeMediaLink(send: (msg: Uint8Array) => void): MediaLink {
  let bytesSent = 0;
  return {
    sendVideo(w, h, t, data) {
      const msg = writeVideoHeader(data, w, h, t);
      send(msg);
      bytesSent += msg.byteLength;
      return true;
    },
    sendAudio(rate, ch, t, pcm) {
      const msg = encodeAudio(rate, ch, t, pcm);
      send(msg);
      bytesSent += msg.byteLength;
    },
    get bytesSent() {
      return bytesSent;
    },
    videoDropped: 0,
    close() {},
  };
}
