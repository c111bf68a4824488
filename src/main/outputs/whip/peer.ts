// The werift side of the WHIP output — the ONLY werift import in the project (DESIGN.md).
//   sendonly H.264 (RFC 6184, packetization-mode=1, profile-level-id from the SPS) + Opus
//   (RFC 7587), offer munged per RFC 9725 §4.2 (see sdp.ts); iceServers always explicit (werift's
//   default is Google's STUN server) and a bounded iceStunGatherTimeout.
//   NACK (RFC 4585 §6.2.1): werift answers from its own 128-packet history; older packets are
//   answered here from a PacketHistory sized for ≥ nackHistoryMs at the configured bitrate.
//   PLI (RFC 4585 §6.3.1) via sender.onPictureLossIndication; FIR (RFC 5104 §4.3.1) does not
//   reach the sender in werift, so it is caught on the DTLS transport's RTCP.
//   Outgoing video goes through a Pacer (werift has none); audio bypasses its budget.
import {
  MediaStream,
  MediaStreamTrack,
  OpusPacketizer,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  RtpPacket,
  type RTCRtpSender,
  type RtcpPacket,
  type GenericNack,
} from 'werift';
import { TypedEmitter } from '../../util/emitter';
import { PacketHistory, historySize } from './history';
import { Pacer } from './pacer';
import { MAX_RTP_PAYLOAD, packetizeH264 } from '../../protocol/rtp/h264';
import { applyRemoteIce, buildSdpFrag, mungeOffer, parseSdpFrag, iceParams } from './sdp';
import type { IceServer } from './link';

const WERIFT_HISTORY = 128; // RTP_HISTORY_SIZE in werift 0.25.2 rtpSender.js
const FIR_COUNT = 4; // RFC 5104 §4.3.1: PSFB FMT 4

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
  /** Pacing rate ÷ media bitrate (libwebrtc uses 2.5). */
  pacingFactor: number;
  /** Offer later m-lines as bundle-only (JSEP max-bundle). */
  bundleOnly: boolean;
  /** Bytes handed to werift (RTP header + payload), as they go: the output's bitrate meter. */
  onSent?: (bytes: number) => void;
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
  availableBitrateKbps?: number;
  pacerDelayMs: number;
}

interface Outgoing {
  sender: RTCRtpSender;
  rtp: RtpPacket;
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
  private remoteAnswer = '';
  private closed = false;
  /** performance.now() of the last RTCP packet from the server (receiver reports, feedback). */
  lastRtcpAt: number | undefined;
  /**
   * performance.now() of the last receiver report block about our video SSRC (RFC 3550 §6.4):
   * the server still receives our video. A server can keep sending RTCP for audio while it has
   * dropped the video (Janus after a renegotiation it disliked).
   */
  lastVideoReportAt: number | undefined;
  private counters = { bytesSent: 0, packetsSent: 0, nacks: 0, ownRetransmits: 0, plis: 0, firs: 0 };

  constructor(private readonly opts: WhipPeerOptions) {
    super();
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
            parameters: `minptime=10;useinbandfec=1;sprop-stereo=${opts.audioChannels === 2 ? 1 : 0}`,
          }),
        ],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }],
            parameters: `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${opts.h264ProfileLevelId}`,
          }),
        ],
      },
      headerExtensions: {
        audio: [new RTCRtpHeaderExtensionParameters({ id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' })],
        video: [
          new RTCRtpHeaderExtensionParameters({ id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }),
          // abs-send-time lets the receiver estimate bandwidth and send REMB (no TWCC: werift's is basic).
          new RTCRtpHeaderExtensionParameters({ id: 3, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' }),
        ],
      },
    });
    const stream = new MediaStream();
    this.audio = this.pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly', streams: [stream] }).sender;
    this.video = this.pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly', streams: [stream] }).sender;
    this.opus = new OpusPacketizer({ maxPayloadSize: MAX_RTP_PAYLOAD });
    this.history = new PacketHistory(historySize(opts.videoBitrateKbps, Math.max(1000, opts.nackHistoryMs)));
    this.pacer = new Pacer<Outgoing>({
      rateKbps: Math.max(500, (opts.videoBitrateKbps + opts.audioBitrateKbps) * opts.pacingFactor),
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

  /** Apply the WHIP answer; FIR is watched on the (bundled) DTLS transport from here on. */
  async setAnswer(answer: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    this.remoteAnswer = answer;
    const dtls = this.video.dtlsTransport;
    const { unSubscribe } = dtls.onRtcp.subscribe((p) => this.onRtcp(p));
    this.offs.push(unSubscribe);
  }

  /** The answer's codecs as werift negotiated them. */
  negotiated(): { video?: string; audio?: string } {
    const out: { video?: string; audio?: string } = {};
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

  /**
   * RFC 9725 §4.3.2 step 2: the server's sdpfrag becomes the new remote ICE details, and the new
   * connectivity checks start. werift 0.25.2 does not start them itself: its connect() skips a
   * transport whose DTLS is still connected, so after a restart ICE would stay 'new' and only a
   * peer that checks towards us could revive it (a server behind a relay or NAT never does).
   */
  async applyRestartFragment(fragment: string): Promise<void> {
    const answer = applyRemoteIce(this.remoteAnswer, parseSdpFrag(fragment));
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    this.remoteAnswer = answer;
    const dtls = this.video.dtlsTransport;
    const ice = dtls.iceTransport;
    if (dtls.state === 'connected' && ice.connection.nominated === undefined) void ice.start().catch(() => undefined); // failure shows as no nominated pair
  }

  /**
   * Whether ICE has a nominated pair now. A restart clears it until a new check succeeds, so this,
   * unlike the connection state (werift reports 'completed' again before any check), proves that
   * the new path works.
   */
  get iceConnected(): boolean {
    return this.video.dtlsTransport.iceTransport.connection.nominated !== undefined;
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

  /** One access unit (NAL units, keyframes with SPS/PPS first) at RTP timestamp `ts` (90 kHz). Returns the number of packets. */
  sendVideo(nalus: readonly Uint8Array[], ts: number): number {
    if (this.closed) return 0;
    const packets = packetizeH264(nalus, MAX_RTP_PAYLOAD).map(({ payload, marker }) => {
      const header = new RtpHeader({ sequenceNumber: this.videoSeq, timestamp: ts >>> 0, marker, payloadType: 0 });
      this.videoSeq = (this.videoSeq + 1) & 0xffff;
      return new RtpPacket(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
    });
    this.pacer.push(
      'video',
      packets.map((rtp) => ({ packet: { sender: this.video, rtp }, bytes: rtp.payload.length + 12 })),
    );
    return packets.length;
  }

  /** One Opus packet at RTP timestamp `ts` (48 kHz). */
  sendAudio(packet: Uint8Array, ts: number): void {
    if (this.closed) return;
    const packets = this.opus.packetize(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength), ts >>> 0);
    this.pacer.push('audio', packets.map((rtp) => ({ packet: { sender: this.audio, rtp }, bytes: rtp.payload.length + 12 })));
  }

  stats(): PeerStats {
    const now = performance.now();
    const out: PeerStats = {
      bytesSent: this.counters.bytesSent,
      packetsSent: this.counters.packetsSent,
      nacks: this.counters.nacks,
      retransmits: this.counters.ownRetransmits,
      plis: this.counters.plis,
      firs: this.counters.firs,
      pacerDelayMs: this.pacer.delayMs,
    };
    for (const s of this.video.collectStats(now)) {
      const r = s as unknown as Record<string, unknown>;
      if (r.type === 'outbound-rtp' && typeof r.retransmittedPacketsSent === 'number') out.retransmits += r.retransmittedPacketsSent;
      if (r.type === 'remote-inbound-rtp') {
        if (typeof r.roundTripTime === 'number') out.rttMs = r.roundTripTime * 1000;
        if (typeof r.fractionLost === 'number') out.lossFraction = r.fractionLost;
      }
    }
    const remb = Number(this.video.receiverEstimatedMaxBitrate);
    if (remb > 0) out.availableBitrateKbps = remb / 1000;
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

  private dispatch(o: Outgoing): void {
    if (this.closed || !this.connected) return; // werift drops pre-connection packets anyway
    if (o.sender === this.video) this.history.put(o.rtp.header.sequenceNumber, o.rtp);
    const bytes = o.rtp.payload.length + o.rtp.header.serializeSize;
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes;
    this.opts.onSent?.(bytes);
    o.sender.sendRtp(o.rtp).catch(() => undefined);
  }

  private onPli(): void {
    this.counters.plis++;
    this.emit('pli');
  }

  private onRtcp(p: RtcpPacket): void {
    this.lastRtcpAt = performance.now();
    if ((p.type === 200 || p.type === 201) && p.reports.some((r) => r.ssrc === this.video.ssrc)) this.lastVideoReportAt = this.lastRtcpAt;
    if (!(p instanceof RtcpPayloadSpecificFeedback) || p.feedback.count !== FIR_COUNT) return;
    const entries = 'fir' in p.feedback ? p.feedback.fir : [];
    if (entries.length > 0 && !entries.some((e) => e.ssrc === this.video.ssrc)) return;
    this.counters.firs++;
    this.emit('fir');
  }

  /** werift retransmits what its 128-slot cache holds; everything older comes from our history. */
  private onNack(nack: GenericNack): void {
    this.counters.nacks++;
    const codec = this.video.codec;
    if (!codec || this.closed) return;
    for (const seq of nack.lost) {
      const age = this.history.age(seq);
      if (age === undefined || age < WERIFT_HISTORY) continue;
      const stored = this.history.get(seq);
      if (!stored) continue;
      const rtp = stored.clone();
      rtp.header.ssrc = this.video.ssrc;
      rtp.header.payloadType = codec.payloadType;
      rtp.header.extensions = [];
      this.counters.ownRetransmits++;
      this.video.dtlsTransport.sendRtp(rtp.payload, rtp.header).catch(() => undefined);
    }
  }
}
