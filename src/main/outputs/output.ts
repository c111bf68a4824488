// The one interface every output implements (docs/ARCHITECTURE.md): start, stop, write, stats, typed events.
// Lifecycle (docs/ARCHITECTURE.md "Outputs"): connecting → live → reconnecting → live … →
// stopped | failed. A recoverable drop is a state ('reconnecting'); 'error' is emitted once, for
// the terminal failure only. Every (re)connection starts at a keyframe: on 'live' the owner asks
// the encoder for one (or replays its cache), and the output drops video until it arrives.
import type { CodecConfig, EncodedPacket } from '../protocol/media';
import type { OutputState, OutputStats, Protocol } from '../../shared/stats';
import type { TandemError } from '../../shared/errors';
import type { TypedEmitter } from '../util/emitter';

export interface StateDetail {
  /** While reconnecting: the attempt about to be made (1-based) and the wait before it. */
  attempt?: number;
  delayMs?: number;
  /** Why the connection dropped or failed. */
  error?: TandemError;
}

export interface OutputEvents {
  state: (state: OutputState, detail: StateDetail) => void;
  /** The terminal failure: the output is 'failed' and will not retry. Emitted once. */
  error: (error: TandemError) => void;
  /** The far end asked for a keyframe (PLI/FIR). The encoder group's limiter decides when. */
  keyframeRequest: () => void;
  /** The path's congestion controller wants this video bitrate, kbit/s (WHIP). */
  targetBitrate: (kbps: number) => void;
}

export interface Output extends Pick<TypedEmitter<OutputEvents>, 'on' | 'off' | 'once'> {
  readonly id: string;
  readonly protocol: Protocol;
  readonly state: OutputState;
  /**
   * Connect and go live, retrying per the reconnect policy. Resolves the first time the output
   * is live; rejects with the terminal error (naming the destination and the cause) or when
   * stopped first.
   */
  start(configs: readonly CodecConfig[]): Promise<void>;
  /** Enqueue one packet. Never throws for network reasons; drops per the queue policy. */
  write(packet: EncodedPacket): void;
  /** A track's config changed (new SPS/PPS): later packets use it. */
  updateConfig(config: CodecConfig): void;
  /** While reconnecting: skip the wait and try now. False when not waiting. */
  retryNow(): boolean;
  /** Say goodbye to the server (FCUnpublish/deleteStream, WHIP DELETE), flush, close. Idempotent. */
  stop(): Promise<void>;
  stats(): OutputStats;
}
