// The werift side of the WHIP output — the ONLY werift import in the project (eslint enforces it).
//   sendonly H.264 (RFC 6184, packetization-mode=1, profile-level-id from the SPS; our own
//   packetizer, protocol/rtp/h264.ts) + Opus (RFC 7587), offer munged per RFC 9725 §4.2 (sdp.ts);
//   iceServers always explicit (werift's default is Google's STUN server), bounded gathering.
//   Offered: transport-wide CC (extmap + rtcp-fb transport-cc) for the sender's congestion control
//   (congestion.ts), abs-send-time (REMB), RTX on its own SSRC (RFC 4588, apt = H.264).
//   Payload types are fixed: Opus 96, H.264 97, RTX 98 (what werift numbered before, in codec order).
//   NACK (RFC 4585 §6.2.1): werift answers from its own 128-packet history (RTX-wrapped when
//   negotiated); older packets are answered here from a PacketHistory sized for ≥ nackHistoryMs.
//   PLI (RFC 4585 §6.3.1) via sender.onPictureLossIndication; FIR (RFC 5104 §4.3.1) does not reach
//   the sender in werift, so it is caught on the DTLS transport's RTCP, as is the feedback for the
//   estimator (re-serialised: the estimator parses bytes with its own, fuzzed parser).
//   Sender Reports: werift pairs NTP "now" with the RTP timestamp of the last packet sent; we
//   extrapolate that RTP timestamp to "now" on the capture clock, so the pair is the same instant
//   (RFC 3550 §6.4.1) whatever each track's encode latency — packets leave as soon as they come.
//   Outgoing media goes through a Pacer (werift has none); audio bypasses its budget.
import {
  MediaStream,
  MediaStreamTrack,
  OpusPacketizer,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  RtpHeader,
  RtpPacket,
  wrapRtx,
  type RTCRtpSender,
  type RtcpPacket,
  type GenericNack,
} from 'werift';
import { TypedEmitter } from '../../util/emitter';
import { PacketHistory, historySize } from './history';
import { Pacer } from './pacer';
import { Congestion, type DeliverySink } from './congestion';
import { MAX_RTP_PAYLOAD, packetizeH264 } from '../../protocol/rtp/h264';
import { applyRemoteIce, buildSdpFrag, mungeOffer, parseSdpFrag, iceParams } from './sdp';
import type { IceServer } from './link';

const WERIFT_HISTORY = 128; // RTP_HISTORY_SIZE in werift 0.25.2 rtpSender.js
const FIR_COUNT = 4; // RFC 5104 §4.3.1: PSFB FMT 4
const PT = { opus: 96, h264: 97, rtx: 98 } as const;
const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
// abs-send-time lets a receiver without transport-cc estimate bandwidth and send REMB.
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

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

/**
 * Fields werift 0.25.2 keeps private on RTCRtpSender that the sender side needs (its RTX state, the
 * SR pair it will send, the NTP of its last SR). One typed view, here, in the only werift adapter.
 */
interface SenderInternals {
  rtxPayloadType: number | undefined;
  rtxSequenceNumber: number;
  rtxSsrc: number;
  rtpTimestamp: number;
  lastSRtimestamp: number | undefined;
}
const internals = (s: RTCRtpSender): SenderInternals => s as unknown as SenderInternals;

interface Outgoing {
  sender: RTCRtpSender;
  rtp: RtpPacket;
  /** Capture time of the media, µs on the wall clock. */
  captureUs: number;
  clockRate: number;
  /** When the media reached the output, ms (performance.now()): delivery delay counts from there. */
  queuedMs: number;
}

export class WhipPeer extends TypedEmitter<PeerEvents> {
  private readonly pc: RTCPeerConnection;
  private readonly video: RTCRtpSender;
  private readonly audio: RTCRtpSender;
  private videoSeq = Math.floor(Math.random() * 0x10000);
  private readonly opus: OpusPacketizer;
  private readonly history: PacketHistory<RtpPacket>;
  private readonly pacer: Pacer<Outgoing>;
  private readonly offs: (() => void)[] = [];
  private congestion: Congestion;
  private remoteAnswer = '';
  private closed = false;
  private twcc = false;
  private lastSr: Record<string, number> = {};
  /** performance.now() of the last RTCP packet from the server (receiver reports, feedback). */
  lastRtcpAt: number | undefined;
  private counters = { bytesSent: 0, packetsSent: 0, nacks: 0, ownRetransmits: 0, plis: 0, firs: 0 };

  constructor(private readonly opts: WhipPeerOptions) {
    super();
    const cc = [{ type: 'transport-cc' }];
    const mid = new RTCRtpHeaderExtensionParameters({ id: 1, uri: MID_URI });
    const twcc = new RTCRtpHeaderExtensionParameters({ id: 2, uri: TWCC_URI });
    const absSendTime = new RTCRtpHeaderExtensionParameters({ id: 3, uri: ABS_SEND_TIME_URI });
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers.map((s) => ({ ...s })),
      iceStunGatherTimeout: opts.iceStunGatherTimeoutSec,
      ...(opts.iceAdditionalHostAddresses ? { iceAdditionalHostAddresses: [...opts.iceAdditionalHostAddresses] } : {}),
      bundlePolicy: 'max-bundle',
      codecs: {
        audio: [
          // RFC 7587 §7: always opus/48000/2; sprop-stereo says what we actually send.
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: 48000,
            channels: 2,
            payloadType: PT.opus,
            rtcpFeedback: cc,
            parameters: `minptime=10;useinbandfec=1;sprop-stereo=${opts.audioChannels === 2 ? 1 : 0}`,
          }),
        ],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90000,
            payloadType: PT.h264,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }, ...cc],
            parameters: `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${opts.h264ProfileLevelId}`,
          }),
          new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000, payloadType: PT.rtx, parameters: `apt=${PT.h264}` }),
        ],
      },
      // One id per URI across the BUNDLE group (RFC 8843 §9.2, RFC 8285 §6): werift numbers the
      // extensions of both kinds in one sequence (1 + index over audio then video), so a URI listed
      // for both got two ids, and Chromium's bundled transport then took one of them as the
      // transport-wide-cc id — the audio packets' sequence numbers were never fed back and counted
      // as lost (~14 % phantom loss at 2.5 Mbit/s). The same instances in both lists keep one id.
      headerExtensions: { audio: [mid, twcc], video: [mid, twcc, absSendTime] },
    });
    const stream = new MediaStream();
    this.audio = this.pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly', streams: [stream] }).sender;
    this.video = this.pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly', streams: [stream] }).sender;
    this.opus = new OpusPacketizer({ maxPayloadSize: MAX_RTP_PAYLOAD });
    this.history = new PacketHistory(historySize(opts.maxKbps, Math.max(1000, opts.nackHistoryMs)));
    this.congestion = this.newCongestion(false);
    this.pacer = new Pacer<Outgoing>({
      rateKbps: this.pacingKbps(),
      // A P-frame leaves in one go, a keyframe's tail is spread (see pacer.ts).
      burstMs: 20,
      send: (o) => this.dispatch(o),
    });
    const sub = (u: { unSubscribe: () => void }): void => void this.offs.push(() => u.unSubscribe());
    sub(this.pc.connectionStateChange.subscribe((s) => this.emit('state', s)));
    sub(this.video.onPictureLossIndication.subscribe(() => this.onPli()));
    sub(this.video.onGenericNack.subscribe((nack) => this.onNack(nack)));
  }

  get historyCapacity(): number {
    return this.history.capacity;
  }

  /** setLocalDescription (werift gathers every candidate first), then the munged WHIP offer. */
  async createOffer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error('werift produced no local description');
    return mungeOffer(sdp, { bundleOnly: this.opts.bundleOnly });
  }

  /** Apply the WHIP answer; RTCP is watched on the (bundled) DTLS transport from here on. */
  async setAnswer(answer: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    this.remoteAnswer = answer;
    this.twcc = /a=extmap:\d+\S*\s+http:\/\/www\.ietf\.org\/id\/draft-holmer-rmcat-transport-wide-cc-extensions-01/.test(answer);
    if (this.twcc) {
      const sink = this.congestion.delivery;
      this.congestion = this.newCongestion(true);
      this.congestion.delivery = sink;
    }
    const dtls = this.video.dtlsTransport;
    const { unSubscribe } = dtls.onRtcp.subscribe((p) => this.onRtcp(p));
    this.offs.push(unSubscribe);
  }

  /** The answer's codecs as werift negotiated them. */
  negotiated(): { video?: string; audio?: string; rtx: boolean; transportCc: boolean } {
    const out: { video?: string; audio?: string; rtx: boolean; transportCc: boolean } = { rtx: internals(this.video).rtxPayloadType !== undefined, transportCc: this.twcc };
    if (this.video.codec) out.video = this.video.codec.mimeType;
    if (this.audio.codec) out.audio = this.audio.codec.mimeType;
    return out;
  }

  /** RFC 9725 §4.3.2 step 1: new local ICE credentials (+ candidates) as an sdpfrag. */
  async createRestartFragment(iceServers: readonly IceServer[]): Promise<string> {
    this.pc.setConfiguration({ iceServers: iceServers.map((s) => ({ ...s })) });
    this.pc.restartIce();
    await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: true }));
    const sdp = this.pc.localDescription?.sdp ?? '';
    const p = iceParams(sdp);
    return buildSdpFrag(sdp, p.candidates, true);
  }

  /** RFC 9725 §4.3.2 step 2: the server's sdpfrag becomes the new remote ICE details. */
  async applyRestartFragment(fragment: string): Promise<void> {
    const answer = applyRemoteIce(this.remoteAnswer, parseSdpFrag(fragment));
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    this.remoteAnswer = answer;
  }

  /** A failed restart keeps the old session: drop the pending local offer. */
  async rollbackRestart(): Promise<void> {
    if (this.pc.signalingState === 'have-local-offer') await this.pc.setLocalDescription({ type: 'rollback' });
  }

  /** Media waiting in the pacer, ms at the pacing rate. */
  get pacerDelayMs(): number {
    return this.pacer.delayMs;
  }

  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  /** Where transport-wide feedback times delivery (outputs/delivery.ts). */
  set delivery(sink: DeliverySink | undefined) {
    this.congestion.delivery = sink;
  }

  /** Transport-wide feedback packets received so far. */
  get feedbacks(): number {
    return this.congestion.feedbacks;
  }

  /** The destination's bitrate changed: new bounds for the congestion controller. */
  setBounds(minKbps: number, maxKbps: number): void {
    this.congestion.setBounds(minKbps, maxKbps);
  }

  /** Drop the video waiting in the pacer (the last resort under congestion); audio stays. */
  dropQueuedVideo(): number {
    return this.pacer.dropVideo();
  }

  /** One access unit (NAL units, keyframes with SPS/PPS first) at RTP timestamp `ts` (90 kHz). Returns the number of packets. */
  sendVideo(nalus: readonly Uint8Array[], ts: number, captureUs: number, queuedMs = performance.now()): number {
    if (this.closed) return 0;
    const packets = packetizeH264(nalus, MAX_RTP_PAYLOAD).map(({ payload, marker }) => {
      const header = new RtpHeader({ sequenceNumber: this.videoSeq, timestamp: ts >>> 0, marker, payloadType: 0 });
      this.videoSeq = (this.videoSeq + 1) & 0xffff;
      return new RtpPacket(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
    });
    this.pacer.push(
      'video',
      packets.map((rtp) => ({ packet: { sender: this.video, rtp, captureUs, clockRate: 90_000, queuedMs }, bytes: rtp.payload.length + 12 })),
    );
    return packets.length;
  }

  /** One Opus packet at RTP timestamp `ts` (48 kHz). */
  sendAudio(packet: Uint8Array, ts: number, captureUs: number, queuedMs = performance.now()): void {
    if (this.closed) return;
    const packets = this.opus.packetize(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength), ts >>> 0);
    this.pacer.push('audio', packets.map((rtp) => ({ packet: { sender: this.audio, rtp, captureUs, clockRate: 48_000, queuedMs }, bytes: rtp.payload.length + 12 })));
  }

  stats(): PeerStats {
    const now = performance.now();
    const t = this.congestion.target();
    const out: PeerStats = {
      bytesSent: this.counters.bytesSent,
      packetsSent: this.counters.packetsSent,
      nacks: this.counters.nacks,
      retransmits: this.counters.ownRetransmits,
      plis: this.counters.plis,
      firs: this.counters.firs,
      pacerDelayMs: this.pacer.delayMs,
      availableBitrateKbps: Math.round(t.bitrateBps / 1000),
      targetBitrateKbps: this.congestion.targetKbps,
      ccMode: t.mode,
      rtx: internals(this.video).rtxPayloadType !== undefined,
      lossFraction: t.lossFraction,
    };
    if (t.rttMs !== undefined) out.rttMs = t.rttMs;
    for (const s of this.video.collectStats(now)) {
      const r = s as unknown as Record<string, unknown>;
      if (r.type === 'outbound-rtp' && typeof r.retransmittedPacketsSent === 'number') out.retransmits += r.retransmittedPacketsSent;
      if (r.type === 'remote-inbound-rtp') {
        if (out.rttMs === undefined && typeof r.roundTripTime === 'number') out.rttMs = r.roundTripTime * 1000;
        if (typeof r.fractionLost === 'number') out.lossFraction = r.fractionLost;
      }
    }
    return out;
  }

  /** Close the peer connection. Idempotent; every subscription is released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pacer.close();
    for (const off of this.offs.splice(0)) off();
    this.history.clear();
    this.removeAllListeners();
    await this.pc.close().catch(() => undefined);
  }

  private newCongestion(transportCc: boolean): Congestion {
    const o = this.opts;
    return new Congestion({
      minKbps: o.minKbps,
      maxKbps: Math.max(o.minKbps, o.maxKbps),
      startKbps: o.videoBitrateKbps,
      transportCc,
      pacingFactor: o.pacingFactor,
      onTarget: (kbps) => {
        this.pacer?.setRate(this.pacingKbps());
        this.opts.onTarget?.(kbps);
      },
    });
  }

  /** Pacing: the factor × (video target + audio), never below 500 kbit/s. */
  private pacingKbps(): number {
    return Math.max(500, (this.congestion.targetKbps + this.opts.audioBitrateKbps) * this.opts.pacingFactor);
  }

  private dispatch(o: Outgoing): void {
    if (this.closed || !this.connected) return; // werift drops pre-connection packets anyway
    if (o.sender === this.video) this.history.put(o.rtp.header.sequenceNumber, o.rtp);
    const bytes = o.rtp.payload.length + o.rtp.header.serializeSize;
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes;
    this.opts.onSent?.(bytes);
    // werift writes the transport-wide sequence number and its SR pair synchronously in sendRtp.
    o.sender.sendRtp(o.rtp).catch(() => undefined);
    const now = performance.now();
    this.congestion.sent(this.twcc ? o.sender.dtlsTransport.transportSequenceNumber : undefined, bytes + 28, now, o.queuedMs);
    const lagUs = (performance.timeOrigin + now) * 1000 - o.captureUs;
    const si = internals(o.sender);
    if (lagUs > 0 && lagUs < 10_000_000) si.rtpTimestamp = (si.rtpTimestamp + Math.round((lagUs * o.clockRate) / 1e6)) >>> 0;
    this.noteSenderReport(o.sender);
  }

  /** werift sent an SR since the last look: its NTP (middle 32 bits) lets RRs give an RTT. */
  private noteSenderReport(sender: RTCRtpSender): void {
    const key = String(sender.ssrc);
    const lsr = internals(sender).lastSRtimestamp;
    if (lsr === undefined || lsr === this.lastSr[key]) return;
    this.lastSr[key] = lsr;
    this.congestion.senderReport(lsr, performance.now());
  }

  private onPli(): void {
    this.counters.plis++;
    this.emit('pli');
  }

  private onRtcp(p: RtcpPacket): void {
    const now = performance.now();
    this.lastRtcpAt = now;
    if (p instanceof RtcpTransportLayerFeedback || p instanceof RtcpSrPacket || p instanceof RtcpRrPacket || (p instanceof RtcpPayloadSpecificFeedback && p.feedback.count === 15)) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = p.serialize();
      } catch {
        bytes = undefined; // werift parsed something it cannot write back: skip it
      }
      if (bytes) this.congestion.rtcp(bytes, now);
    }
    if (!(p instanceof RtcpPayloadSpecificFeedback) || p.feedback.count !== FIR_COUNT) return;
    const entries = 'fir' in p.feedback ? p.feedback.fir : [];
    if (entries.length > 0 && !entries.some((e) => e.ssrc === this.video.ssrc)) return;
    this.counters.firs++;
    this.emit('fir');
  }

  /** werift retransmits what its 128-slot cache holds; everything older comes from our history. */
  private onNack(nack: GenericNack): void {
    this.counters.nacks++;
    const v = this.video;
    const vi = internals(v);
    const codec = v.codec;
    if (!codec || this.closed) return;
    for (const seq of nack.lost) {
      const age = this.history.age(seq);
      if (age === undefined || age < WERIFT_HISTORY) continue;
      const stored = this.history.get(seq);
      if (!stored) continue;
      let rtp = stored.clone();
      rtp.header.ssrc = v.ssrc;
      rtp.header.payloadType = codec.payloadType;
      rtp.header.extensions = [];
      if (vi.rtxPayloadType !== undefined) {
        rtp = wrapRtx(rtp, vi.rtxPayloadType, vi.rtxSequenceNumber, vi.rtxSsrc);
        vi.rtxSequenceNumber = (vi.rtxSequenceNumber + 1) & 0xffff;
      }
      this.counters.ownRetransmits++;
      v.dtlsTransport.sendRtp(rtp.payload, rtp.header).catch(() => undefined);
    }
  }
}
