// The werift side of the WHIP output — the ONLY werift import in the project (eslint enforces it).
//   sendonly H.264 (RFC 6184, packetization-mode=1, profile-level-id from the SPS; our own
//   packetizer, protocol/rtp/h264.ts) + Opus (RFC 7587), offer munged per RFC 9725 §4.2 (sdp.ts);
//   iceServers always explicit (werift's default is Google's STUN server), bounded gathering.
//   Offered: transport-wide CC (extmap + rtcp-fb transport-cc) for the sender's congestion control
//   (congestion.ts), abs-send-time (REMB), RTX on its own SSRC (RFC 4588, apt = H.264).
//   Payload types are fixed: Opus 96, H.264 97, RTX 98 (what werift numbered before, in codec order).
//   NACK (RFC 4585 §6.2.1) is answered here, not by werift (docs/ARCHITECTURE.md "WHIP loss
//   repair"): from a RetransmissionBuffer of ≥ nackHistoryMs, at most once per RTT per packet, in
//   1-3 copies (repair.ts), each an RTX packet (RFC 4588 §4) — or the packet again on the media
//   SSRC without RTX — with a transport-wide sequence number of its own, MID and abs-send-time,
//   through the pacer ahead of new video. werift's own answer (a 128-packet cache, unpaced, every
//   repeat of a NACK, the ORIGINAL transport-wide number) is switched off.
//   Video sequence numbers are given as packets leave the pacer, so video the last resort drops
//   from the pacer leaves no gap the receiver would NACK in vain. Video packets carry the
//   playout-delay extension (repair.ts: the receiver cannot know RTT).
//   PLI (RFC 4585 §6.3.1) via sender.onPictureLossIndication; FIR (RFC 5104 §4.3.1) does not reach
//   the sender in werift, so it is caught on the DTLS transport's RTCP, as is the feedback for the
//   estimator (re-serialised: the estimator parses bytes with its own, fuzzed parser).
//   Sender Reports: werift pairs NTP "now" with the RTP timestamp of the last packet sent; we
//   extrapolate that RTP timestamp to "now" on the capture clock, so the pair is the same instant
//   (RFC 3550 §6.4.1) whatever each track's encode latency — packets leave as soon as they come.
//   Outgoing media goes through a Pacer (werift has none); audio bypasses its budget.
import {
  ntpTime,
  serializeAbsSendTime,
  serializeSdesMid,
  serializeTransportWideCC,
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
  type RTCRtpSender,
  type RtcpPacket,
  type GenericNack,
} from 'werift';
import { TypedEmitter } from '../../util/emitter';
import { RetransmissionBuffer, historySize, type SentPacket } from './history';
import { RepairPolicy, playoutDelayPayload } from '../../protocol/rtp/repair';
import { peerStats, planRepairs, rtxPayload } from './peer-repair';
import { internals, takeOverRetransmission } from './sender-internals';
import { Pacer } from './pacer';
import { Congestion, type DeliverySink } from './congestion';
import { MAX_RTP_PAYLOAD, packetizeH264 } from '../../protocol/rtp/h264';
import { applyRemoteIce, buildSdpFrag, mungeOffer, parseSdpFrag, iceParams } from './sdp';
import type { PeerEvents, PeerStats, WhipPeerOptions } from './peer-types';
import type { IceServer } from './link';

const FIR_COUNT = 4; // RFC 5104 §4.3.1: PSFB FMT 4
const PT = { opus: 96, h264: 97, rtx: 98 } as const;
const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
// abs-send-time lets a receiver without transport-cc estimate bandwidth and send REMB.
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

export type { PeerEvents, PeerState, PeerStats, WhipPeerOptions } from './peer-types';

interface Outgoing {
  sender: RTCRtpSender;
  /** A retransmission (of `rtp`, the stored packet), or new media. */
  rtx?: SentPacket;
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
  private readonly history: RetransmissionBuffer;
  private readonly repair = new RepairPolicy();
  private readonly pacer: Pacer<Outgoing>;
  private readonly offs: (() => void)[] = [];
  private congestion: Congestion;
  private remoteAnswer = '';
  private closed = false;
  private twcc = false;
  private lastSr: Record<string, number> = {};
  /** performance.now() of the last RTCP packet from the server (receiver reports, feedback). */
  lastRtcpAt: number | undefined;
  /**
   * performance.now() of the last receiver report block about our video SSRC (RFC 3550 §6.4):
   * the server still receives our video. A server can keep sending RTCP for audio while it has
   * dropped the video (Janus after a renegotiation it disliked).
   */
  lastVideoReportAt: number | undefined;
  private counters = { bytesSent: 0, packetsSent: 0, nacks: 0, retransmits: 0, nackMissing: 0, nackThrottled: 0, plis: 0, firs: 0 };

  constructor(private readonly opts: WhipPeerOptions) {
    super();
    const cc = [{ type: 'transport-cc' }];
    const mid = new RTCRtpHeaderExtensionParameters({ id: 1, uri: MID_URI });
    const twcc = new RTCRtpHeaderExtensionParameters({ id: 2, uri: TWCC_URI });
    const absSendTime = new RTCRtpHeaderExtensionParameters({ id: 3, uri: ABS_SEND_TIME_URI });
    const playoutDelay = new RTCRtpHeaderExtensionParameters({ id: 4, uri: PLAYOUT_DELAY_URI });
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
      headerExtensions: { audio: [mid, twcc], video: [mid, twcc, absSendTime, playoutDelay] },
    });
    const stream = new MediaStream();
    this.audio = this.pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly', streams: [stream] }).sender;
    this.video = this.pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly', streams: [stream] }).sender;
    this.opus = new OpusPacketizer({ maxPayloadSize: MAX_RTP_PAYLOAD });
    const historyMs = Math.max(1000, opts.nackHistoryMs);
    this.history = new RetransmissionBuffer(historySize(opts.maxKbps, historyMs), historyMs);
    takeOverRetransmission(this.video);
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

  /**
   * Drop the video waiting in the pacer (the last resort under congestion), and the repairs with
   * it: the receiver gets a keyframe next, and repairs of what came before it would only delay that
   * keyframe on a link that is already too slow. Audio stays. Returns the new video packets dropped.
   */
  dropQueuedVideo(): number {
    const now = performance.now();
    for (const o of this.pacer.dropRtx()) if (o.rtx) this.history.sent(o.rtx, now, false);
    return this.pacer.dropVideo();
  }

  /** One access unit (NAL units, keyframes with SPS/PPS first) at RTP timestamp `ts` (90 kHz). Returns the number of packets. */
  sendVideo(nalus: readonly Uint8Array[], ts: number, captureUs: number, queuedMs = performance.now()): number {
    if (this.closed) return 0;
    // Sequence numbers are given in dispatch(), as each packet leaves the pacer.
    const pd = this.playoutDelayExtension();
    const packets = packetizeH264(nalus, MAX_RTP_PAYLOAD).map(({ payload, marker }) => {
      const header = new RtpHeader({ sequenceNumber: 0, timestamp: ts >>> 0, marker, payloadType: 0, ...(pd ? { extensions: [pd] } : {}) });
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
    const t = this.congestion.target();
    const cc = { bitrateBps: t.bitrateBps, targetKbps: this.congestion.targetKbps, mode: t.mode, lossFraction: t.lossFraction, rttMs: t.rttMs };
    const remote = this.video.collectStats(performance.now()) as unknown as Record<string, unknown>[];
    return peerStats(this.counters, cc, this.pacer.delayMs, internals(this.video).rtxPayloadType !== undefined, remote);
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
    const live = !this.closed && this.connected; // werift drops pre-connection packets anyway
    if (o.rtx) this.history.sent(o.rtx, performance.now(), live);
    if (!live) return;
    if (o.rtx) return this.dispatchRepair(o.rtp);
    const now = performance.now();
    if (o.sender === this.video) {
      const h = o.rtp.header;
      h.sequenceNumber = this.videoSeq;
      this.videoSeq = (this.videoSeq + 1) & 0xffff;
      this.history.put({ seq: h.sequenceNumber, timestamp: h.timestamp, marker: h.marker, payload: o.rtp.payload, sentMs: now, lastSentMs: now, resends: 0 });
    }
    const bytes = o.rtp.payload.length + o.rtp.header.serializeSize;
    this.counters.packetsSent++;
    this.counters.bytesSent += bytes;
    this.opts.onSent?.(bytes);
    // werift writes the transport-wide sequence number and its SR pair synchronously in sendRtp.
    o.sender.sendRtp(o.rtp).catch(() => undefined);
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
    if ((p instanceof RtcpSrPacket || p instanceof RtcpRrPacket) && p.reports.some((r) => r.ssrc === this.video.ssrc)) this.lastVideoReportAt = now;
    if (!(p instanceof RtcpPayloadSpecificFeedback) || p.feedback.count !== FIR_COUNT) return;
    const entries = 'fir' in p.feedback ? p.feedback.fir : [];
    if (entries.length > 0 && !entries.some((e) => e.ssrc === this.video.ssrc)) return;
    this.counters.firs++;
    this.emit('fir');
  }

  /** The playout-delay extension for the video packets (repair.ts), when the receiver negotiated it. */
  private playoutDelayExtension(): { id: number; payload: Buffer } | undefined {
    const d = this.repair.playoutDelay(performance.now());
    const e = internals(this.video).headerExtensions.find((x) => x.uri === PLAYOUT_DELAY_URI);
    return e ? { id: e.id, payload: Buffer.from(playoutDelayPayload(d.minMs, d.maxMs)) } : undefined;
  }

  /** A Generic NACK: the packets held and not resent within one RTT go to the pacer's retransmission lane. */
  private onNack(nack: GenericNack): void {
    this.counters.nacks++;
    if (this.closed || !this.video.codec) return;
    const now = performance.now();
    const t = this.congestion.target();
    const plan = planRepairs(this.history, this.repair, nack.lost, now, t.rttMs, t.lossFraction, this.pacer.delayMs);
    this.counters.nackMissing += plan.missing;
    this.counters.nackThrottled += plan.throttled;
    if (plan.packets.length === 0) return;
    const si = internals(this.video);
    // Each copy is a packet of its own (RTX sequence number, transport-wide number).
    const items = plan.packets.map((p) => {
      let rtp: RtpPacket;
      if (si.rtxPayloadType !== undefined) {
        rtp = new RtpPacket(new RtpHeader({ payloadType: si.rtxPayloadType, sequenceNumber: si.rtxSequenceNumber, timestamp: p.timestamp, marker: p.marker, ssrc: si.rtxSsrc }), rtxPayload(p));
        si.rtxSequenceNumber = (si.rtxSequenceNumber + 1) & 0xffff;
      } else {
        const codec = this.video.codec;
        rtp = new RtpPacket(new RtpHeader({ payloadType: codec?.payloadType ?? PT.h264, sequenceNumber: p.seq, timestamp: p.timestamp, marker: p.marker, ssrc: this.video.ssrc }), Buffer.from(p.payload.buffer, p.payload.byteOffset, p.payload.byteLength));
      }
      return { packet: { sender: this.video, rtx: p, rtp, captureUs: 0, clockRate: 90_000, queuedMs: now }, bytes: rtp.payload.length + 12 };
    });
    for (const p of plan.packets) this.history.queued(p, 1);
    this.pacer.push('rtx', items);
  }

  /** A repair leaves: the negotiated extensions with a transport-wide sequence number of its own. */
  private dispatchRepair(rtp: RtpPacket): void {
    const dtls = this.video.dtlsTransport;
    const si = internals(this.video);
    let twccSeq: number | undefined;
    const ext: { id: number; payload: Buffer }[] = [];
    for (const e of si.headerExtensions) {
      if (e.uri === MID_URI && si.mid) ext.push({ id: e.id, payload: serializeSdesMid(si.mid) });
      else if (e.uri === ABS_SEND_TIME_URI) ext.push({ id: e.id, payload: serializeAbsSendTime(ntpTime()) });
      else if (e.uri === TWCC_URI) {
        twccSeq = dtls.transportSequenceNumber = (dtls.transportSequenceNumber + 1) & 0xffff;
        ext.push({ id: e.id, payload: serializeTransportWideCC(twccSeq) });
      }
    }
    rtp.header.extensions = ext.sort((x, y) => x.id - y.id);
    const bytes = rtp.payload.length + rtp.header.serializeSize;
    this.counters.retransmits++;
    this.counters.bytesSent += bytes;
    this.opts.onSent?.(bytes);
    dtls.sendRtp(rtp.payload, rtp.header).catch(() => undefined);
    this.congestion.sent(this.twcc ? twccSeq : undefined, bytes + 28, performance.now());
  }
}
