// Browser mode's media channel, in a dedicated Worker (docs/ARCHITECTURE.md "Media path"): the
// /media WebSocket and the WebCodecs encoder groups live here, off the page's thread. On software
// GL one program frame (compose, present, synchronous readback) held the page's thread for
// 100-250 ms, and an engine control message (a keyframe asked for after a PLI) waited behind it:
// here it is read at once and the IDR is encoded from the last picture (video-encoders.ts). The
// page posts its frames (VideoFrame, transferred) and ready-made wire messages (PCM, raw I420);
// the worker sends chunks, decoder configs and those messages in the order they came.
import { encodeChunk, encodeConfig } from '../../../shared/media-wire';
import { EncoderSet } from './video-encoders';
import { MAX_BUFFERED, parseControl, type FromMediaWorker, type ToMediaWorker } from './media-worker-wire';

const scope = globalThis as unknown as {
  postMessage(msg: FromMediaWorker): void;
  onmessage: ((ev: MessageEvent<ToMediaWorker>) => void) | null;
  close(): void;
};

const STATS_MS = 250;

let ws: WebSocket | undefined;
let bytes = 0;
let dropped = 0;

const send = (msg: Uint8Array): void => {
  if (ws?.readyState !== WebSocket.OPEN) return;
  ws.send(msg);
  bytes += msg.byteLength;
};

const encoders = new EncoderSet(
  {
    chunk: (g, key, enc, t, avcc) => send(encodeChunk(g, key, enc, t, avcc)),
    config: (g, avcC) => send(encodeConfig(g, avcC)),
  },
  (reason) => scope.postMessage({ type: 'failure', reason }),
);

const report = (): void => scope.postMessage({ type: 'stats', bytes, dropped, size: encoders.size, encoders: encoders.stats() });
const timer = setInterval(report, STATS_MS);

function open(url: string): void {
  ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (ev: MessageEvent<unknown>) => {
    const m = parseControl(ev.data);
    if (!m) return;
    void encoders.control(m).then(report);
    scope.postMessage({ type: 'control', msg: m });
  };
}

scope.onmessage = (ev) => {
  const m = ev.data;
  if (m.type === 'open') open(m.url);
  else if (m.type === 'frame') {
    encoders.encode(m.frame);
    m.frame.close();
  } else if (m.type === 'send') {
    if (m.raw && (ws?.readyState !== WebSocket.OPEN || ws.bufferedAmount > MAX_BUFFERED)) dropped++;
    else send(m.data);
  } else {
    clearInterval(timer);
    encoders.close();
    ws?.close();
    scope.close();
  }
};
