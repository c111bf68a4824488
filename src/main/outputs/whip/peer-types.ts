// The WHIP peer's options, events and stats (peer.ts is the werift adapter; these are plain data).
import type { IceServer } from './link';

export type PeerState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export interface WhipPeerOptions {
  iceServers: readonly IceServer[];
  /** Seconds to wait for server-reflexive candidates (werift iceStunGatherTimeout). */
  iceStunGatherTimeoutSec: number;
  /** Extra host addresses to gather on (werift skips loopback unless listed). */
  iceAdditionalHostAddresses?: readonly string[];
  /** RFC 6184 §8.1 profile-level-id (6 hex digits), from the SPS. */
  h264ProfileLevelId: string;
  audioChannels: number;
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  /** Media kept for NACK, ms (≥ 1000). */
  nackHistoryMs: number;
  /** Pacing rate ÷ target bitrate (libwebrtc uses 2.5). */
  pacingFactor: number;
  /** Offer later m-lines as bundle-only (JSEP max-bundle). */
  bundleOnly: boolean;
  /** Bounds of the congestion controller's target, kbit/s (video). */
  minKbps: number;
  maxKbps: number;
  /** Bytes handed to werift (RTP header + payload), as they go: the output's bitrate meter. */
  onSent?: (bytes: number) => void;
  /** The congestion controller's target moved, kbit/s (video). */
  onTarget?: (kbps: number) => void;
}

export interface PeerEvents {
  state: (state: PeerState) => void;
  pli: () => void;
  fir: () => void;
}

export interface PeerStats {
  bytesSent: number;
  packetsSent: number;
  nacks: number;
  retransmits: number;
  /** NACKed packets not held (never sent, or older than the history) / not resent again within one RTT. */
  nackMissing: number;
  nackThrottled: number;
  plis: number;
  firs: number;
  rttMs?: number;
  lossFraction?: number;
  /** The estimate B of the path, kbit/s (congestion controller; REMB caps it). */
  availableBitrateKbps?: number;
  /** The target asked of the encoder, kbit/s. */
  targetBitrateKbps?: number;
  /** What drives the estimate now: transport-cc feedback, or receiver reports. */
  ccMode?: 'transport-cc' | 'receiver-reports';
  pacerDelayMs: number;
  rtx: boolean;
}
