// Per-destination stats: the same fields for every output, protocol-specific ones optional.
// These are the figures the article's formulas name: R = L/T (bitrateKbps), latency (rttMs /
// queueMs / pingMs), U = R/B (utilization, where an estimate of B exists).

export type Protocol = 'rtmp' | 'rtmps' | 'whip' | 'record';

export type OutputState =
  | 'idle'
  | 'connecting'
  | 'live'
  | 'reconnecting'
  | 'stopping'
  | 'stopped'
  | 'failed';

export interface OutputStats {
  id: string;
  protocol: Protocol;
  /** Redacted: never contains a stream key or token. */
  url: string;
  state: OutputState;
  /** Bytes written to the socket / SRTP transport / file since start (payload + framing). */
  bytesSent: number;
  /** R = L/T over the last second, kbit/s. */
  bitrateKbps: number;
  framesSent: number;
  framesDropped: number;
  /** Duration of media waiting in this output's queue, ms. */
  queueMs: number;
  /** queueMs ÷ drop threshold, 0..1+ (OBS's congestion figure). */
  congestion: number;
  reconnects: number;
  /** Time from start() to live for the current connection, ms. */
  connectTimeMs?: number;
  /** Seconds until the next reconnect attempt, while reconnecting. */
  reconnectInSec?: number;
  lastError?: { code: string; message: string };
  // protocol-specific
  rttMs?: number;
  pingMs?: number;
  packetsSent?: number;
  nacks?: number;
  retransmits?: number;
  plis?: number;
  firs?: number;
  lossFraction?: number;
  availableBitrateKbps?: number;
  /** U = R/B, where B (availableBitrateKbps) is known. */
  utilization?: number;
  /** The video bitrate the congestion controller asks of the encoder, kbit/s (WHIP). */
  targetBitrateKbps?: number;
  /** What steers the estimate: transport-wide CC feedback, or receiver reports and REMB. */
  ccMode?: 'transport-cc' | 'receiver-reports';
  /** Retransmitted packets ÷ packets sent. */
  retransmitRate?: number;
  /** Media waiting below the output (its queue plus the pacer), ms. */
  backlogMs?: number;
  /** Times video was dropped to the next keyframe because the backlog passed 500 ms. */
  lastResorts?: number;
  /**
   * Delivery delay, ms: from a packet reaching the output to the server confirming it (RTMP
   * Acknowledgements, WHIP transport-wide CC feedback), over the last 10 s. The same figure for
   * every protocol; it includes the send queue, the pacer and the socket's own buffer.
   */
  deliveryMs?: { p50: number; p95: number };
  /** Why there is no delivery delay: the server sends no acknowledgements / no transport-cc feedback. */
  deliveryNote?: 'no-acks' | 'no-feedback';
  /** RTMP: bytes written to the socket and not yet sent by the kernel's side of Node. */
  socketBacklogBytes?: number;
}

export function emptyStats(id: string, protocol: Protocol, url: string): OutputStats {
  return {
    id,
    protocol,
    url,
    state: 'idle',
    bytesSent: 0,
    bitrateKbps: 0,
    framesSent: 0,
    framesDropped: 0,
    queueMs: 0,
    congestion: 0,
    reconnects: 0,
  };
}

/** One encoder group: one video encode at one bitrate, shared by the destinations that want it. */
export interface EncoderGroupStats {
  id: string;
  /** Where it encodes: WebCodecs in the renderer, or ffmpeg in the engine. */
  path: 'webcodecs' | 'ffmpeg';
  codec: string;
  targetKbps: number;
  /** R = L/T of the encoded video over the last second. */
  actualKbps: number;
  /** Encoded video bytes since the group started (access units as the outputs get them). */
  bytes: number;
  frames: number;
  keyframes: number;
  /** Keyframes forced on request (PLI/FIR, a joining or reconnecting destination). */
  forcedKeyframes: number;
  /** Encode time per frame (capture → encoded packet at the engine), ms; undefined before any frame. */
  encodeMsP50?: number;
  encodeMsP95?: number;
  /** Outputs fed by this group. */
  outputs: number;
}
