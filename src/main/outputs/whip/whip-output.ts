// WhipOutput — publishes EncodedPackets to a WHIP endpoint (RFC 9725) through werift.
//
//   const out = new WhipOutput({
//     id: 'dest-1',
//     url: 'https://whip.example.com/whip/endpoint/abc',   // the WHIP endpoint URL
//     token: 'T',                    // optional: Authorization: Bearer T on every request (§4.5)
//     iceServers: [{ urls: 'turn:turn.example.com', username: 'u', credential: 'p' }],  // optional;
//                                    // a local TURN overrides the server's Link TURN (§4.6)
//     videoBitrateKbps: 4000,        // sizes the NACK history (≥ 1 s) and the pacer
//     audioBitrateKbps: 128,         // optional (default 128)
//   });
//   out.on('keyframeRequest', () => encoder.forceKeyframe());  // PLI/FIR, rate-limited
//   await out.start([h264Config, opusConfig]);   // POST offer → 201 → ICE/DTLS connected → 'live'
//   out.write(packet);                            // H.264 Annex B access units and Opus packets
//   await out.stop();                             // DELETE the session (§4.4), close the peer
//
// Flow: write() → PresentationScheduler (held until its presentation time on one clock for both
// tracks, so werift's Sender Reports pair NTP and RTP time correctly) → SendQueue (drop policy,
// network backlog only) → packetizer → Pacer (keyframe bursts spread) → werift.
// Any error after the 201 DELETEs the session before it is reported. ICE failure → ICE restart by
// PATCH (§4.3.2); a failed restart keeps the old session and is retried, then the output fails.
import { ConnectError, InputError, InvalidStateError, ProtocolError, TandemError } from '../../../shared/errors';
import { emptyStats, type OutputState, type OutputStats } from '../../../shared/stats';
import type { CodecConfig, EncodedPacket, H264Config, OpusConfig } from '../../protocol/media';
import { TypedEmitter } from '../../util/emitter';
import type { Output, OutputEvents } from '../output';
import { SendQueue } from '../queue';
import { WhipHttpClient } from './http';
import { KeyframeRequestLimiter } from './keyframe';
import { mergeIceServers, type IceServer } from './link';
import { WhipPeer, type PeerState } from './peer';
import { PresentationScheduler } from './schedule';
import { profileLevelIdFromSps } from './sdp';
import { defaultHostAddresses, randomU32, toTandem, waitConnected } from './session-util';

export interface WhipOutputOptions {
  id: string;
  /** WHIP endpoint URL. */
  url: string;
  /** Bearer token; the Authorization header is omitted entirely without one. */
  token?: string;
  /** Locally configured ICE servers (never Google's default). A TURN here overrides Link TURN. */
  iceServers?: IceServer[];
  videoBitrateKbps: number;
  audioBitrateKbps?: number;
  /** Host addresses werift should also gather on; default ['127.0.0.1'] for a loopback URL. */
  iceAdditionalHostAddresses?: string[];
  /** werift iceStunGatherTimeout, seconds (default 2). */
  iceStunGatherTimeoutSec?: number;
  /** Media kept for NACK retransmission, ms (default 1500, at least 1000). */
  nackHistoryMs?: number;
  /** Pacing rate ÷ media bitrate (default 2.5). */
  pacingFactor?: number;
  /** Minimum spacing of 'keyframeRequest' events, ms (default 1000). */
  keyframeRequestMinIntervalMs?: number;
  /** Time allowed from the 201 to ICE+DTLS connected, ms (default 15 000). */
  connectTimeoutMs?: number;
  /** SendQueue drop threshold, ms (default 900). */
  dropThresholdMs?: number;
  /** Offer later m-lines bundle-only with port 0 (JSEP §5.2.1 max-bundle). Default false: werift
   *  and several servers reject a port-0 m-line; every m-line is in one BUNDLE group regardless. */
  bundleOnly?: boolean;
  /** HTTP: per-request timeout, 503 retries and the Retry-After bound. */
  httpTimeoutMs?: number;
  maxRetryAfterMs?: number;
}

const ICE_RESTART_ATTEMPTS = 3;

export class WhipOutput extends TypedEmitter<OutputEvents> implements Output {
  readonly id: string;
  readonly protocol = 'whip' as const;
  private readonly opts: WhipOutputOptions;
  private readonly http: WhipHttpClient;
  private readonly queue: SendQueue;
  private readonly limiter: KeyframeRequestLimiter;
  private peer: WhipPeer | undefined;
  private state: OutputState = 'idle';
  private serverIce: IceServer[] = [];
  private readonly sched = new PresentationScheduler();
  private readonly rtpBase = { video: randomU32(), audio: randomU32() };
  private pumpTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private sawKeyframe = false;
  private startedAt = 0;
  private restarting = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private counters = { framesSent: 0, framesDropped: 0, lastBytes: 0, lastAt: 0, bitrateKbps: 0 };
  private statsBase: OutputStats;
  private stopping: Promise<void> | undefined;
  /** Every subscription this output made; released in stop(). */
  private readonly offs: (() => void)[] = [];

  constructor(opts: WhipOutputOptions) {
    super();
    this.id = opts.id;
    this.opts = opts;
    const httpOpts: ConstructorParameters<typeof WhipHttpClient>[0] = { url: opts.url };
    if (opts.token !== undefined) httpOpts.token = opts.token;
    if (opts.httpTimeoutMs !== undefined) httpOpts.timeoutMs = opts.httpTimeoutMs;
    if (opts.maxRetryAfterMs !== undefined) httpOpts.maxRetryAfterMs = opts.maxRetryAfterMs;
    this.http = new WhipHttpClient(httpOpts);
    this.queue = new SendQueue(opts.dropThresholdMs !== undefined ? { dropThresholdMs: opts.dropThresholdMs } : {});
    this.limiter = new KeyframeRequestLimiter({
      minIntervalMs: opts.keyframeRequestMinIntervalMs ?? 1000,
      emit: () => this.emit('keyframeRequest'),
    });
    this.statsBase = emptyStats(opts.id, 'whip', this.http.target);
  }

  /** Redacted endpoint URL, for display. */
  get target(): string {
    return this.http.target;
  }

  async start(configs: readonly CodecConfig[]): Promise<void> {
    if (this.state !== 'idle') throw new InvalidStateError(`WHIP output ${this.target} already started`, { target: this.target });
    const video = configs.find((c): c is H264Config => c.codec === 'h264');
    const audio = configs.find((c): c is OpusConfig => c.codec === 'opus');
    if (!video) throw new InputError('invalid-argument', `WHIP output ${this.target} needs an H.264 video track`, { target: this.target });
    this.startedAt = performance.now();
    this.setState('connecting');
    const hosts = this.opts.iceAdditionalHostAddresses ?? defaultHostAddresses(this.opts.url);
    const peer = new WhipPeer({
      iceServers: this.opts.iceServers ?? [],
      iceStunGatherTimeoutSec: this.opts.iceStunGatherTimeoutSec ?? 2,
      ...(hosts ? { iceAdditionalHostAddresses: hosts } : {}),
      h264ProfileLevelId: (video.sps[0] && profileLevelIdFromSps(video.sps[0])) ?? '42e01f',
      parameterSets: [...video.sps, ...video.pps],
      audioChannels: audio?.channels ?? 2,
      videoBitrateKbps: this.opts.videoBitrateKbps,
      audioBitrateKbps: this.opts.audioBitrateKbps ?? 128,
      nackHistoryMs: this.opts.nackHistoryMs ?? 1500,
      pacingFactor: this.opts.pacingFactor ?? 2.5,
      bundleOnly: this.opts.bundleOnly ?? false,
    });
    this.peer = peer;
    this.offs.push(
      peer.on('pli', () => this.limiter.request()),
      peer.on('fir', () => this.limiter.request()),
    );
    try {
      const offer = await peer.createOffer();
      this.assertRunning();
      const session = await this.http.publish(offer);
      this.serverIce = session.iceServers;
      try {
        this.assertRunning();
        await peer.setAnswer(session.answer).catch((cause: unknown) => {
          throw new ProtocolError(`WHIP server ${this.target} sent an SDP answer we cannot use`, { target: this.target, cause });
        });
        if (!peer.negotiated().video) {
          throw new ProtocolError(`WHIP server ${this.target} did not accept H.264 video`, { target: this.target });
        }
        await this.waitConnected(peer).catch((err: unknown) => this.connectWithServerIce(peer, err));
        this.assertRunning();
      } catch (err) {
        await this.http.delete().catch(() => undefined); // §4.4: never leave a session behind
        throw err;
      }
    } catch (err) {
      const e = toTandem(err, this.target);
      if (!this.stopping) {
        for (const off of this.offs.splice(0)) off();
        await peer.close();
        this.http.close();
        this.statsBase.lastError = { code: e.code, message: e.message };
        this.setState('failed', e);
      }
      throw e;
    }
    this.offs.push(peer.on('state', (s) => this.onPeerState(s)));
    this.statsBase.connectTimeMs = Math.round(performance.now() - this.startedAt);
    this.counters.lastAt = performance.now();
    this.statsTimer = setInterval(() => {
      this.updateBitrate();
      this.emit('stats', this.stats());
    }, 1000);
    this.setState('live');
    this.limiter.request(); // the receiver needs an IDR to start decoding: ask the encoder now
  }

  write(packet: EncodedPacket): void {
    // Live media only: what arrives while connecting would leave late (werift drops it anyway).
    if (this.state !== 'live') return;
    if (packet.track === 'video') {
      if (packet.codec !== 'h264') return;
      if (!this.sawKeyframe && !packet.keyframe) {
        this.counters.framesDropped++; // a decoder can start only at an IDR
        return;
      }
      this.sawKeyframe = true;
    } else if (packet.codec !== 'opus') return;
    this.sched.push(packet, performance.now() * 1000);
    this.pump();
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  stats(): OutputStats {
    const p = this.peer?.stats();
    const s: OutputStats = {
      ...this.statsBase,
      state: this.state,
      bytesSent: p?.bytesSent ?? 0,
      bitrateKbps: this.counters.bitrateKbps,
      framesSent: this.counters.framesSent,
      framesDropped: this.counters.framesDropped + this.queue.framesDropped,
      queueMs: this.queue.durationMs + (p?.pacerDelayMs ?? 0),
      congestion: this.queue.congestion,
    };
    if (p) {
      s.packetsSent = p.packetsSent;
      s.nacks = p.nacks;
      s.retransmits = p.retransmits;
      s.plis = p.plis;
      s.firs = p.firs;
      if (p.rttMs !== undefined) s.rttMs = p.rttMs;
      if (p.lossFraction !== undefined) s.lossFraction = p.lossFraction;
      if (p.availableBitrateKbps !== undefined) {
        s.availableBitrateKbps = p.availableBitrateKbps;
        s.utilization = s.bitrateKbps / p.availableBitrateKbps;
      }
    }
    return s;
  }

  private async doStop(): Promise<void> {
    const wasLive = this.state !== 'idle' && this.state !== 'failed' && this.state !== 'stopped';
    if (wasLive) this.setState('stopping');
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.pumpTimer = undefined;
    this.statsTimer = undefined;
    this.limiter.close();
    this.queue.clear();
    this.sched.clear();
    this.http.close(); // rejects a pending POST/PATCH with a typed error
    let deleteError: TandemError | undefined;
    await this.http.delete().catch((err: unknown) => {
      deleteError = toTandem(err, this.target);
    });
    for (const off of this.offs.splice(0)) off();
    await this.peer?.close();
    if (this.state !== 'failed') this.setState('stopped');
    if (deleteError) this.emit('error', deleteError);
  }

  private assertRunning(): void {
    if (this.stopping) throw new ConnectError('connection-closed', `WHIP output ${this.target} stopped while connecting`, { target: this.target });
  }

  private waitConnected(peer: WhipPeer): Promise<void> {
    return waitConnected(peer, { target: this.target, timeoutMs: this.opts.connectTimeoutMs ?? 15_000, stopped: () => this.stopping !== undefined });
  }

  /**
   * RFC 9725 §4.6: the server's STUN/TURN servers arrive in the 201, after werift has gathered.
   * When the first connection fails and the server offered some, restart ICE once with them
   * (merged with ours) before giving up. Any failure rethrows the original error.
   */
  private async connectWithServerIce(peer: WhipPeer, original: unknown): Promise<void> {
    const local = new Set((this.opts.iceServers ?? []).map((s) => s.urls));
    if (this.stopping || this.serverIce.every((s) => local.has(s.urls))) throw original;
    try {
      const frag = await peer.createRestartFragment(mergeIceServers(this.serverIce, this.opts.iceServers ?? []));
      const res = await this.http.restartIce(frag);
      await peer.applyRestartFragment(res.fragment);
      await this.waitConnected(peer);
    } catch {
      throw original;
    }
  }

  /**
   * Move packets whose presentation time has come into the SendQueue (its drop policy applies
   * to network backlog only, not to the deliberate hold), then hand the queue to the peer unless
   * the pacer is already half a second behind.
   */
  private pump(): void {
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const peer = this.peer;
    if (!peer || this.state !== 'live') return;
    const nowUs = performance.now() * 1000;
    for (const p of this.sched.takeDue(nowUs + 500)) this.queue.push(p);
    for (let p = this.queue.peek(); p; p = this.queue.peek()) {
      if (p.track === 'video' && peer.pacerDelayMs > 500) {
        // The path is slower than the media: video waits in the SendQueue, whose policy drops.
        this.pumpTimer = setTimeout(() => this.pump(), 20);
        break;
      }
      this.queue.shift();
      if (p.track === 'video') {
        peer.sendVideo(p.data, this.rtpBase.video + Math.round((p.pts * 9) / 100));
        this.counters.framesSent++;
        if (p.keyframe) this.limiter.keyframeSent();
      } else {
        peer.sendAudio(p.data, this.rtpBase.audio + Math.round((p.pts * 48) / 1000));
      }
    }
    const next = this.sched.nextDueIn(nowUs);
    if (next !== undefined && !this.pumpTimer) this.pumpTimer = setTimeout(() => this.pump(), Math.max(1, Math.floor(next / 1000)));
    this.updateBitrate();
  }

  private updateBitrate(): void {
    const now = performance.now();
    if (now - this.counters.lastAt < 1000) return;
    const bytes = this.peer?.stats().bytesSent ?? 0;
    this.counters.bitrateKbps = ((bytes - this.counters.lastBytes) * 8) / (now - this.counters.lastAt);
    this.counters.lastBytes = bytes;
    this.counters.lastAt = now;
  }

  /**
   * RFC 9725 §4.3.2 ICE restart on demand (e.g. after a network change); also run by itself when
   * ICE fails. werift replaces its ICE agent as soon as the restart offer is made, so media pauses
   * until the server's sdpfrag is applied. Resolves true once the new ICE details are in use. On
   * false the WHIP session is kept (no DELETE) and the restart is retried while the output reads
   * 'reconnecting'; after the last attempt the output fails (and then DELETEs).
   */
  async restartIce(): Promise<boolean> {
    if (this.state !== 'live') throw new InvalidStateError(`WHIP output ${this.target} is not live`, { target: this.target });
    return this.restartWithRetries(1);
  }

  private onPeerState(s: PeerState): void {
    if (this.stopping || this.state !== 'live' || s !== 'failed') return;
    void this.restartWithRetries(1);
  }

  private async restartWithRetries(attempt: number): Promise<boolean> {
    const e = await this.attemptRestart(attempt);
    if (!e) return true;
    if (this.stopping) return false;
    if (attempt < ICE_RESTART_ATTEMPTS) {
      const delayMs = 1000 * attempt;
      this.setState('reconnecting', e, { attempt: attempt + 1, delayMs });
      this.restartTimer = setTimeout(() => void this.restartWithRetries(attempt + 1), delayMs);
      return false;
    }
    this.statsBase.lastError = { code: e.code, message: e.message };
    this.setState('failed', e);
    this.emit('error', e);
    void this.stop();
    return false;
  }

  /** One restart: new local ICE → PATCH If-Match "*" → 200 sdpfrag (new ETag) → new remote ICE. */
  private async attemptRestart(attempt: number): Promise<TandemError | undefined> {
    const peer = this.peer;
    if (!peer || this.stopping) return undefined;
    if (this.restarting) return new InvalidStateError(`WHIP output ${this.target}: ICE restart already running`, { target: this.target });
    this.restarting = true;
    this.setState('reconnecting', undefined, { attempt, delayMs: 0 });
    try {
      const frag = await peer.createRestartFragment(mergeIceServers(this.serverIce, this.opts.iceServers ?? []));
      const res = await this.http.restartIce(frag);
      await peer.applyRestartFragment(res.fragment);
      await this.waitConnected(peer);
      this.statsBase.reconnects++;
      if (!this.stopping) this.setState('live');
      // Video resumes at an IDR: what was in flight during the restart is gone.
      this.sawKeyframe = false;
      this.limiter.request();
      return undefined;
    } catch (err) {
      await peer.rollbackRestart().catch(() => undefined);
      return toTandem(err, this.target);
    } finally {
      this.restarting = false;
    }
  }

  private setState(state: OutputState, error?: TandemError, extra: { attempt?: number; delayMs?: number } = {}): void {
    this.state = state;
    this.emit('state', state, error ? { ...extra, error } : extra);
  }
}
