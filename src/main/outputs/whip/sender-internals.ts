// werift 0.25.2's RTCRtpSender internals the WHIP peer relies on (docs/ARCHITECTURE.md "WHIP loss
// repair"): typed views only; no werift code runs here (a type-only import, as the adapter lint allows).
import type { RTCRtpSender } from 'werift';

/**
 * Fields werift 0.25.2 keeps private on RTCRtpSender that the sender side needs (its RTX state, the
 * SR pair it will send, the NTP of its last SR). One typed view, here, used by the werift adapter (peer.ts) only.
 */
export interface SenderInternals {
  rtxPayloadType: number | undefined;
  rtxSequenceNumber: number;
  rtxSsrc: number;
  rtpTimestamp: number;
  lastSRtimestamp: number | undefined;
  /** The negotiated extensions (ids from the answer), and the MID. */
  headerExtensions: { id: number; uri: string }[];
  mid: string | undefined;
}
export const internals = (s: RTCRtpSender): SenderInternals => s as unknown as SenderInternals;

/**
 * werift 0.25.2's sender answers NACKs from `rtpCache` (rtpSender.js handleRtcpPacket); an empty
 * cache that ignores writes leaves every NACK to onNack (werift still emits onGenericNack).
 */
export function takeOverRetransmission(sender: RTCRtpSender): void {
  const sink = new Proxy<unknown[]>([], { set: () => true });
  Object.defineProperty(sender, 'rtpCache', { get: () => sink, set: () => undefined, configurable: true });
}
