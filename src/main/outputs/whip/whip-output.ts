// WhipOutput — publishes EncodedPackets to a WHIP endpoint (RFC 9725) through werift, on the
// output base (../base.ts: state machine, reconnect policy, keyframe gate, drop policy, meter).
//
//   const out = new WhipOutput({ id: 'dest-1', url: 'https://whip.example.com/whip/endpoint/abc',
//     token: 'T', videoBitrateKbps: 4000 });
//   out.on('keyframeRequest', () => group.requestKeyframe());   // PLI/FIR from the server
//   await out.start([h264Config, opusConfig]);   // POST offer → 201 → ICE/DTLS connected → 'live'
//   out.write(packet);                            // H.264 access units (NAL units) and Opus packets
//   await out.stop();                             // DELETE the session (§4.4), close the peer
//
// Send path: write() → SendQueue (the drop policy) → peer (RFC 6184 packetizer → pacer → werift),
// at once: the peer keeps the Sender Reports' NTP/RTP pairs right for each track's own latency, so
// nothing is held for A/V sync (docs/ARCHITECTURE.md "WHIP congestion control").
// Congestion control (congestion.ts in the peer: GCC on transport-cc feedback, or receiver
// reports and REMB) gives a target bitrate in [minKbps, maxKbps], announced as 'targetBitrate' for
// the encoder group, and the pacing rate. Last resort: when the pacer is more than 500 ms behind,
// the queued video and repairs are dropped and video waits for the next keyframe (asked for);
// audio never drops.
//
// A dead path is noticed within a few seconds (docs/ARCHITECTURE.md "Outputs"): ICE/DTLS
// 'disconnected' or 'failed', or, for `rtcpTimeoutMs`, no receiver report on our video from a
// server that had been sending them (no RTCP at all from one that sends no video reports).
// Recovery then follows RFC 9725: first an ICE restart by PATCH (§4.3.2), which counts only once
// ICE has a new nominated pair; if that fails, or the server answers 404/410 or the connection
// closes, or the previous restart was followed by no report on our video, the old session is
// DELETEd (best effort, §4.4) and the base connects anew: a fresh POST, with the reconnect backoff.
// The silence is measured from when the session went live or was last recovered, never from
// before (a stale clock would drop a just-recovered session again at once).
import { ConnectError, InputError, InvalidStateError, ProtocolError, TandemError } from '../../../shared/errors';
import type { OutputStats } from '../../../shared/stats';
import type { CodecConfig, EncodedPacket, H264Config, OpusConfig } from '../../protocol/media';
import { DeliveryTracker } from '../delivery';
import { OutputBase, type CloseReason } from '../base';
import type { ReconnectOptions } from '../reconnect';
import { WhipHttpClient } from './http';
import { mergeIceServers, type IceServer } from './link';
import { WhipPeer, type PeerState } from './peer';
import { iceParams, parseSdpFrag, profileLevelIdFromSps } from './sdp';
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
  reconnect?: ReconnectOptions;
  /** No RTCP for this long (after some had arrived) means the path is dead, ms (default 3000). */
  rtcpTimeoutMs?: number;
  /** Time allowed for one in-place ICE restart (PATCH + connectivity), ms (default 4000). */
  iceRestartTimeoutMs?: number;
  /** Bounds of the congestion controller's video target, kbit/s (defaults 300 and videoBitrateKbps). */
  minKbps?: number;
  maxKbps?: number;
}

interface Session {
  http: WhipHttpClient;
  peer: WhipPeer;
  serverIce: IceServer[];
  /** Video waits for a keyframe (after the last-resort drop). */
  awaitKey: boolean;
  /** performance.now() until which the keyframe that ended a last-resort drop is still leaving the pacer. */
  keyDrainUntil: number;
  delivery: DeliveryTracker;
  connectedAt: number;
  rtpBase: { video: number; audio: number };
  pumpTimer: ReturnType<typeof setTimeout> | undefined;
  watchdog: ReturnType<typeof setInterval> | undefined;
  /** performance.now() when this session went live or was last recovered: RTCP silence counts from here at the earliest. */
  aliveSince: number;
  /** The server's ICE candidates (from the answer, or the last ICE restart that brought some). */
  remoteCandidates: string[];
  /** performance.now() of the last ICE restart that reconnected this session. */
  restartedAt: number | undefined;
  offs: (() => void)[];
}

const WHIP_CODECS = ['h264', 'opus'] as const;
/** Backlog in the pacer past which video is dropped until the next keyframe (issue 13's last resort). */
const BACKLOG_LIMIT_MS = 500;

export class WhipOutput extends OutputBase<Session> {
  protected override readonly recovers = true;
  private readonly opts: WhipOutputOptions;
  private dropped_ = 0;
  private lastResorts = 0;
  /** When each queued packet reached the output (delivery delay counts from there). */
  private readonly queuedAt = new WeakMap<EncodedPacket, number>();

  constructor(opts: WhipOutputOptions) {
    super({
      id: opts.id,
      protocol: 'whip',
      target: new WhipHttpClient({ url: opts.url }).target,
      codecs: WHIP_CODECS,
      ...(opts.reconnect === undefined ? {} : { reconnect: opts.reconnect }),
      ...(opts.dropThresholdMs === undefined ? {} : { dropThresholdMs: opts.dropThresholdMs }),
    });
    this.opts = opts;
  }

  /** One attempt: a new peer and a new WHIP session (POST offer → 201 answer → ICE/DTLS up). */
  protected async connect(signal: AbortSignal): Promise<Session> {
    const video = this.configs.find((c): c is H264Config => c.codec === 'h264');
    const audio = this.configs.find((c): c is OpusConfig => c.codec === 'opus');
    if (!video) throw new InputError('invalid-argument', `WHIP output ${this.target} needs an H.264 video track`, { target: this.target });
    const http = this.newHttp();
    const peer = this.newPeer(video, audio);
    const s: Session = { http, peer, serverIce: [], awaitKey: false, keyDrainUntil: 0, delivery: new DeliveryTracker(), connectedAt: 0, rtpBase: { video: randomU32(), audio: randomU32() }, pumpTimer: undefined, watchdog: undefined, aliveSince: 0, remoteCandidates: [], restartedAt: undefined, offs: [] };
    const abort = (): void => http.close();
    signal.addEventListener('abort', abort);
    s.offs.push(
      () => signal.removeEventListener('abort', abort),
      peer.on('pli', () => this.emit('keyframeRequest')),
      peer.on('fir', () => this.emit('keyframeRequest')),
    );
    try {
      const offer = await peer.createOffer();
      const session = await http.publish(offer).catch((e: unknown) => {
        throw this.judgeReconnect(toTandem(e, this.target));
      });
      s.serverIce = session.iceServers;
      s.remoteCandidates = iceParams(session.answer).candidates;
      try {
        await peer.setAnswer(session.answer).catch((cause: unknown) => {
          throw new ProtocolError(`WHIP server ${this.target} sent an SDP answer we cannot use`, { target: this.target, cause });
        });
        if (!peer.negotiated().video) throw new ProtocolError(`WHIP server ${this.target} did not accept H.264 video`, { target: this.target });
        await this.waitConnected(peer, signal, this.opts.connectTimeoutMs ?? 15_000).catch((err: unknown) => this.connectWithServerIce(s, signal, err));
      } catch (err) {
        await http.delete().catch(() => undefined); // §4.4: never leave a session behind
        throw err;
      }
    } catch (err) {
      await this.close(s, 'drop');
      throw toTandem(err, this.target);
    } finally {
      signal.removeEventListener('abort', abort);
    }
    peer.delivery = s.delivery;
    s.connectedAt = performance.now();
    this.watch(s);
    return s;
  }

  protected flush(s: Session): void {
    if (s.pumpTimer) clearTimeout(s.pumpTimer);
    s.pumpTimer = undefined;
    // A keyframe larger than the limit at the pacing rate must still get through whole, or the
    // drop would repeat at every keyframe and no picture would ever arrive.
    if (s.peer.pacerDelayMs > BACKLOG_LIMIT_MS && performance.now() >= s.keyDrainUntil) this.lastResort(s);
    for (let p = this.queue.peek(); p; p = this.queue.peek()) {
      // The path is slower than the media: video waits in the SendQueue, whose policy drops.
      if (p.track === 'video' && s.peer.pacerDelayMs > BACKLOG_LIMIT_MS / 2) {
        s.pumpTimer = setTimeout(() => this.flush(s), 20);
        break;
      }
      this.queue.shift();
      if (p.track === 'video') {
        if (s.awaitKey && !p.keyframe) {
          this.dropped_++;
          continue;
        }
        const resumes = s.awaitKey;
        s.awaitKey = false;
        s.peer.sendVideo(p.nalus, s.rtpBase.video + Math.round((p.pts * 9) / 100), p.pts, this.queuedAt.get(p));
        if (resumes) s.keyDrainUntil = performance.now() + s.peer.pacerDelayMs;
        this.sent(0, true);
      } else s.peer.sendAudio(p.data, s.rtpBase.audio + Math.round((p.pts * 48) / 1000), p.pts, this.queuedAt.get(p));
    }
  }

  protected override onQueued(p: EncodedPacket): void {
    this.queuedAt.set(p, performance.now());
  }

  /** More than BACKLOG_LIMIT_MS waits in the pacer: drop the queued video, wait for a keyframe (asked for). */
  private lastResort(s: Session): void {
    this.dropped_ += s.peer.dropQueuedVideo();
    for (let p = this.queue.peek(); p && p.track === 'video'; p = this.queue.peek()) {
      this.queue.shift();
      this.dropped_++;
    }
    if (!s.awaitKey) {
      s.awaitKey = true;
      this.lastResorts++;
      this.emit('keyframeRequest');
    }
  }

  /** Releases the session: DELETE it (best effort, also on drops: the server may still hold it) and close the peer. */
  protected async close(s: Session, _reason: CloseReason): Promise<void> {
    if (s.pumpTimer) clearTimeout(s.pumpTimer);
    if (s.watchdog) clearInterval(s.watchdog);
    s.pumpTimer = undefined;
    s.watchdog = undefined;
    for (const off of s.offs.splice(0)) off();
    s.http.close(); // rejects a pending POST/PATCH with a typed error
    await s.http.delete().catch(() => undefined);
    await s.peer.close();
  }

  /**
   * RFC 9725 §4.3.2 ICE restart on demand (e.g. after a network change). Resolves true once the
   * new ICE details are in use; false when the restart failed and the output went on to a fresh
   * session (DELETE, then a new POST after the reconnect delay), as after any dead path.
   */
  async restartIce(): Promise<boolean> {
    if (!this.connection || this.state !== 'live') throw new InvalidStateError(`WHIP output ${this.target} is not live`, { target: this.target });
    return this.restartConnection(new ConnectError('connection-closed', `WHIP output ${this.target}: ICE restart`, { target: this.target }));
  }

  /**
   * RFC 9725 §4.3.2: one ICE restart in place. False sends the base to a fresh POST.
   * The restart has worked once ICE has a new nominated pair: the peer connection may still say
   * 'connected' from before (a path that silently lost everything never left that state), and
   * RTCP may still trickle in on the old sockets, so neither of those proves the new path.
   */
  protected override async recover(s: Session): Promise<boolean> {
    // The previous restart reconnected ICE but the server has not reported on our video since
    // (Janus rejects H.264 when simple-whip-server replays the offer for a restart): another
    // restart would end the same way, so the session is replaced.
    if (s.restartedAt !== undefined && (heardAt(s.peer) ?? -Infinity) <= s.restartedAt) return false;
    const timeoutMs = this.opts.iceRestartTimeoutMs ?? 4000;
    const deadline = performance.now() + timeoutMs;
    try {
      const frag = await s.peer.createRestartFragment(mergeIceServers(s.serverIce, this.opts.iceServers ?? []));
      const res = await s.http.restartIce(frag, timeoutMs);
      await s.peer.applyRestartFragment(this.withCandidates(s, res.fragment));
      const left = (): number => Math.max(1, deadline - performance.now());
      await this.waitConnected(s.peer, undefined, left());
      await this.waitIce(s, left());
      s.aliveSince = performance.now();
      s.restartedAt = s.aliveSince;
      return true;
    } catch {
      await s.peer.rollbackRestart().catch(() => undefined);
      return false;
    }
  }

  /**
   * RFC 9725 §4.3.2: the server's 200 to an ICE restart carries new credentials and, optionally,
   * new candidates. Without any (Janus sends none), the server's candidates from before still
   * apply: without them the restarted agent would have nothing to check against, and the restart
   * could only succeed if the server's own checks reached us.
   */
  private withCandidates(s: Session, fragment: string): string {
    const given = parseSdpFrag(fragment).candidates;
    if (given.length > 0) {
      s.remoteCandidates = given;
      return fragment;
    }
    if (s.remoteCandidates.length === 0) return fragment;
    const body = fragment.endsWith('\n') ? fragment : `${fragment}\r\n`;
    return `${body}${s.remoteCandidates.map((c) => `a=${c}\r\n`).join('')}a=end-of-candidates\r\n`;
  }

  /** Resolves once ICE has a nominated pair; rejects after `timeoutMs` or when stopped. */
  private waitIce(s: Session, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const end = performance.now() + timeoutMs;
      const poll = setInterval(() => {
        const stopped = this.state === 'stopping' || this.state === 'stopped';
        if (s.peer.iceConnected) done();
        else if (stopped || performance.now() > end) done(new ConnectError('connection-timeout', `WHIP media to ${this.target}: ICE did not reconnect after the restart`, { target: this.target }));
      }, 50);
      const done = (err?: TandemError): void => {
        clearInterval(poll);
        if (err) reject(err);
        else resolve();
      };
    });
  }

  protected override onConfig(config: CodecConfig): void {
    // New parameter sets travel in-band with the next IDR (RFC 6184 §8.4: the SDP's
    // sprop-parameter-sets are optional), which the access-unit format guarantees.
    void config;
  }

  protected override addStats(s: OutputStats, conn: Session | undefined): void {
    const p = conn?.peer.stats();
    s.queueMs = Math.round(this.queue.durationMs + (p?.pacerDelayMs ?? 0));
    s.backlogMs = s.queueMs;
    s.framesDropped += this.dropped_;
    s.lastResorts = this.lastResorts;
    if (!p || !conn) return;
    const d = conn.delivery.stats(performance.now());
    if (d) s.deliveryMs = { p50: d.p50, p95: d.p95 };
    else if (performance.now() - conn.connectedAt > 10_000 && conn.peer.feedbacks === 0) s.deliveryNote = 'no-feedback';
    s.packetsSent = p.packetsSent;
    s.nacks = p.nacks;
    s.retransmits = p.retransmits;
    s.plis = p.plis;
    s.firs = p.firs;
    if (p.rttMs !== undefined) s.rttMs = p.rttMs;
    if (p.lossFraction !== undefined) s.lossFraction = p.lossFraction;
    if (p.availableBitrateKbps !== undefined && p.availableBitrateKbps > 0) {
      s.availableBitrateKbps = p.availableBitrateKbps;
      s.utilization = s.bitrateKbps / p.availableBitrateKbps;
    }
    if (p.targetBitrateKbps !== undefined) s.targetBitrateKbps = p.targetBitrateKbps;
    if (p.ccMode !== undefined) s.ccMode = p.ccMode;
    s.retransmitRate = p.packetsSent > 0 ? p.retransmits / p.packetsSent : 0;
  }

  /** Drops are judged by the base; this turns the path's death into one. */
  private watch(s: Session): void {
    const rtcpTimeoutMs = this.opts.rtcpTimeoutMs ?? 3000;
    s.offs.push(
      s.peer.on('state', (st: PeerState) => {
        if (this.state === 'live' && (st === 'disconnected' || st === 'failed' || st === 'closed')) {
          this.dropped(s, new ConnectError('connection-closed', `WHIP media to ${this.target}: ICE/DTLS ${st}`, { target: this.target }));
        }
      }),
    );
    s.aliveSince = performance.now();
    s.watchdog = setInterval(() => {
      const last = heardAt(s.peer);
      if (this.state === 'live' && last !== undefined && performance.now() - Math.max(last, s.aliveSince) > rtcpTimeoutMs) {
        const what = s.peer.lastVideoReportAt === undefined ? 'no RTCP from the server' : 'no receiver report on our video from the server';
        this.dropped(s, new ConnectError('connection-timeout', `WHIP media to ${this.target}: ${what} for ${Math.round(rtcpTimeoutMs / 1000)} s`, { target: this.target }));
      }
    }, 250);
  }

  /**
   * A session that was live before and is now answered 404 (the endpoint is gone: the server
   * restarted) or 403 (the old session still holds the endpoint) is a server coming back, not a
   * bad URL or token: worth retrying. The same answers on the first connect are final.
   */
  private judgeReconnect(e: TandemError): TandemError {
    if (!this.hasBeenLive) return e;
    if (e.status === '404' || e.status === '410' || e.status === '403') {
      return new ConnectError('server-unavailable', `${e.message}; the server lost the session, retrying`, { target: this.target, ...(e.status === undefined ? {} : { status: e.status }) });
    }
    return e;
  }

  private newHttp(): WhipHttpClient {
    const o: ConstructorParameters<typeof WhipHttpClient>[0] = { url: this.opts.url };
    if (this.opts.token !== undefined) o.token = this.opts.token;
    if (this.opts.httpTimeoutMs !== undefined) o.timeoutMs = this.opts.httpTimeoutMs;
    if (this.opts.maxRetryAfterMs !== undefined) o.maxRetryAfterMs = this.opts.maxRetryAfterMs;
    return new WhipHttpClient(o);
  }

  private newPeer(video: H264Config, audio: OpusConfig | undefined): WhipPeer {
    const hosts = this.opts.iceAdditionalHostAddresses ?? defaultHostAddresses(this.opts.url);
    return new WhipPeer({
      iceServers: this.opts.iceServers ?? [],
      iceStunGatherTimeoutSec: this.opts.iceStunGatherTimeoutSec ?? 2,
      ...(hosts ? { iceAdditionalHostAddresses: hosts } : {}),
      h264ProfileLevelId: (video.sps[0] && profileLevelIdFromSps(video.sps[0])) ?? '42e01f',
      audioChannels: audio?.channels ?? 2,
      videoBitrateKbps: this.opts.videoBitrateKbps,
      audioBitrateKbps: this.opts.audioBitrateKbps ?? 128,
      nackHistoryMs: this.opts.nackHistoryMs ?? 1500,
      pacingFactor: this.opts.pacingFactor ?? 2.5,
      bundleOnly: this.opts.bundleOnly ?? false,
      minKbps: this.opts.minKbps ?? Math.min(300, this.opts.videoBitrateKbps),
      maxKbps: this.opts.maxKbps ?? this.opts.videoBitrateKbps,
      onSent: (bytes) => this.sent(bytes, false),
      onTarget: (kbps) => this.emit('targetBitrate', kbps),
    });
  }

  private waitConnected(peer: WhipPeer, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    return waitConnected(peer, { target: this.target, timeoutMs, stopped: () => signal?.aborted === true || this.state === 'stopping' || this.state === 'stopped' });
  }

  /**
   * RFC 9725 §4.6: the server's STUN/TURN servers arrive in the 201, after werift has gathered.
   * When the first connection fails and the server offered some, restart ICE once with them
   * (merged with ours) before giving up. Any failure rethrows the original error.
   */
  private async connectWithServerIce(s: Session, signal: AbortSignal, original: unknown): Promise<void> {
    const local = new Set((this.opts.iceServers ?? []).map((x) => x.urls));
    if (signal.aborted || s.serverIce.every((x) => local.has(x.urls))) throw original;
    try {
      const frag = await s.peer.createRestartFragment(mergeIceServers(s.serverIce, this.opts.iceServers ?? []));
      const res = await s.http.restartIce(frag);
      await s.peer.applyRestartFragment(this.withCandidates(s, res.fragment));
      await this.waitConnected(s.peer, signal, this.opts.connectTimeoutMs ?? 15_000);
    } catch {
      throw original;
    }
  }
}

/**
 * When the server was last heard about our media: its last receiver report on our video, or, for
 * a server that never sends one, its last RTCP of any kind. Undefined before either.
 */
function heardAt(peer: WhipPeer): number | undefined {
  return peer.lastVideoReportAt ?? peer.lastRtcpAt;
}
