// The one interface every output implements (DESIGN.md): start, stop, write, stats, typed events.
import type { CodecConfig, EncodedPacket } from '../protocol/media';
import type { OutputState, OutputStats, Protocol } from '../../shared/stats';
import type { TandemError } from '../../shared/errors';
import type { TypedEmitter } from '../util/emitter';

export interface OutputEvents {
  state: (state: OutputState, detail?: { attempt?: number; delayMs?: number; error?: TandemError }) => void;
  error: (error: TandemError) => void;
  stats: (stats: OutputStats) => void;
  /** The far end asked for a keyframe (PLI/FIR). The encoder decides whether and when. */
  keyframeRequest: () => void;
}

export interface Output extends Pick<TypedEmitter<OutputEvents>, 'on' | 'off' | 'once'> {
  readonly id: string;
  readonly protocol: Protocol;
  /** Connect and become live. Rejects with a TandemError naming the destination and cause. */
  start(configs: readonly CodecConfig[]): Promise<void>;
  /** Enqueue one packet. Never throws for network reasons; drops per the queue policy. */
  write(packet: EncodedPacket): void;
  /** Say goodbye to the server (FCUnpublish/deleteStream, WHIP DELETE), flush, close. Idempotent. */
  stop(): Promise<void>;
  stats(): OutputStats;
}
