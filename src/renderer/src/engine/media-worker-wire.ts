// Messages between the page and the media worker (media.worker.ts), and the engine's control
// messages as they arrive on the /media WebSocket (JSON text frames). docs/ARCHITECTURE.md
// "Media path".
import type { MediaControl } from '../../../shared/media-wire';
import type { EncoderSetStats } from './video-encoders';

/** Raw frames are dropped while more than this many bytes wait in the socket (≈ 6 frames at 720p). */
export const MAX_BUFFERED = 8 * 1024 * 1024;

/** Page → worker. */
export type ToMediaWorker =
  | { type: 'open'; url: string }
  /** Bytes ready for the wire (PCM, raw I420 frames); `raw` ones may be dropped under backpressure. */
  | { type: 'send'; data: Uint8Array; raw: boolean }
  /** A program frame for the encoder groups (the worker closes it). */
  | { type: 'frame'; frame: VideoFrame }
  | { type: 'close' };

export interface MediaWorkerStats {
  bytes: number;
  dropped: number;
  /** Encoder groups running. */
  size: number;
  encoders: EncoderSetStats;
}

/** Worker → page. */
export type FromMediaWorker = { type: 'control'; msg: MediaControl } | { type: 'failure'; reason: string } | ({ type: 'stats' } & MediaWorkerStats);

export function parseControl(data: unknown): MediaControl | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const m = JSON.parse(data) as MediaControl;
    return typeof m === 'object' && m !== null && typeof m.type === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}
