// RtmpOutput: the Output for RTMP and RTMPS destinations, on the output base (../base.ts: state
// machine, reconnect policy, keyframe gate, drop policy, bitrate meter). Glue only: the protocol
// lives in src/main/protocol/{rtmp,flv,amf0} (sans I/O), the socket in socket.ts, FLV tags come
// from the one muxer (protocol/flv/mux.ts) that recording uses too.
import { AuthError, InputError, TandemError } from '../../../shared/errors';
import type { OutputStats } from '../../../shared/stats';
import type { CodecConfig, EncodedPacket } from '../../protocol/media';
import { DeliveryTracker } from '../delivery';
import { FlvMuxer, flvTracks } from '../../protocol/flv/mux';
import { FlvTagType } from '../../protocol/flv/file';
import { RtmpClientSession } from '../../protocol/rtmp/session';
import { parseRtmpUrl, type RtmpTarget } from '../../protocol/rtmp/url';
import { OutputBase, type CloseReason } from '../base';
import type { ReconnectOptions } from '../reconnect';
import { RtmpSocket } from './socket';

export interface RtmpOutputOptions {
  id: string;
  /** rtmp[s]://host[:port]/app[/instance]/key, or the server URL when `streamKey` is given. */
  url: string;
  streamKey?: string;
  /** Verify the RTMPS certificate (default true). false is the explicit, per-destination self-signed opt-out. */
  verifyCertificate?: boolean;
  /** Connect + handshake + publish timeout, ms (default 10 s). */
  connectTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  videoBitrateKbps?: number;
  audioBitrateKbps?: number;
  encoderName?: string;
  dropThresholdMs?: number;
  pingIntervalMs?: number;
  /**
   * After NetStream.Publish.Start, how long the connection must stay up before it counts as live.
   * nginx-rtmp with `deny publish` sends Publish.Start and then closes: a close inside this window
   * means the key or permission was rejected (default 300 ms).
   */
  publishSettleMs?: number;
  /** Enhanced RTMP codecs announced in connect; null leaves fourCcList out. */
  fourCcList?: readonly string[] | null;
}

interface Connection {
  socket: RtmpSocket;
  session: RtmpClientSession;
  mux: FlvMuxer;
  offs: (() => void)[];
  ping: ReturnType<typeof setInterval> | undefined;
  pingMs: number | undefined;
  delivery: DeliveryTracker;
  connectedAt: number;
  /** Acknowledged bytes over time while the socket was backlogged: the estimate B. */
  /** Acknowledgements of the last 3 s: when, the bytes acknowledged, and whether we were backlogged. */
  ackRate: { at: number; bytes: number; backlogged: boolean }[];
  /** The last estimate of B and when it was made (held for a while across idle gaps). */
  lastB: { kbps: number; at: number } | undefined;
  acks: number;
}

/** Keep at most this much in the socket's user-space buffer; the rest waits in the SendQueue. */
const SOCKET_HIGH_WATER = 256 * 1024;

/** What RTMP track 0 carries (legacy AVC + AAC, so every server reads it). */
const RTMP_CODECS = ['h264', 'aac'] as const;

export class RtmpOutput extends OutputBase<Connection> {
  private readonly dest: RtmpTarget | undefined;
  private readonly targetError: TandemError | undefined;
  private pingMs: number | undefined;
  /** When each queued packet reached the output (delivery delay counts from there). */
  private readonly queuedAt = new WeakMap<EncodedPacket, number>();

  constructor(private readonly opts: RtmpOutputOptions) {
    const parsed = parse(opts);
    super({
      id: opts.id,
      protocol: parsed.target?.secure || /^rtmps:/i.test(opts.url) ? 'rtmps' : 'rtmp',
      target: parsed.display,
      codecs: RTMP_CODECS,
      ...(opts.reconnect === undefined ? {} : { reconnect: opts.reconnect }),
      ...(opts.dropThresholdMs === undefined ? {} : { dropThresholdMs: opts.dropThresholdMs }),
    });
    this.dest = parsed.target;
    this.targetError = parsed.error;
  }

  /** One attempt: socket, handshake, publish, metadata and sequence headers, then the settle window. */
  protected async connect(signal: AbortSignal): Promise<Connection> {
    if (this.targetError || !this.dest) throw this.targetError ?? new InputError('invalid-url', 'invalid RTMP URL');
    const t = this.dest;
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const socket = await RtmpSocket.connect({
      host: t.host, port: t.port, secure: t.secure, verifyCertificate: this.opts.verifyCertificate ?? true, timeoutMs, target: this.target, signal,
    });
    const session = new RtmpClientSession({
      app: t.app, tcUrl: t.tcUrl, streamKey: t.streamKey, target: this.target, send: (b) => socket.write(b),
      ...(this.opts.fourCcList === undefined ? {} : { fourCcList: this.opts.fourCcList }),
    });
    const c: Connection = { socket, session, mux: new FlvMuxer(flvTracks(this.configs)), offs: [], ping: undefined, pingMs: undefined, delivery: new DeliveryTracker(), ackRate: [], lastB: undefined, acks: 0, connectedAt: 0 };
    let settling: ((err: TandemError) => void) | undefined;
    c.offs.push(
      socket.on('data', (b) => session.receive(b)),
      socket.on('close', (err) => session.transportClosed(err)),
      socket.on('drain', () => this.flush(c)),
      session.on('error', (err) => (settling ? settling(err) : this.dropped(c, err))),
      session.on('ping', (ms) => (this.pingMs = ms)),
      session.on('ack', (seq) => this.onAck(c, seq)),
    );
    const abort = (): void => session.close(new TandemError('connection-closed', `${this.target}: stopped while connecting`, { target: this.target }));
    signal.addEventListener('abort', abort);
    const timer = setTimeout(() => {
      session.close(new TandemError('connection-timeout', `${this.target}: the server did not answer within ${Math.round(timeoutMs / 1000)} s`, { target: this.target }));
      socket.destroy();
    }, Math.max(1, deadline - Date.now()));
    try {
      await session.publish();
      session.sendMetadata(c.mux.metadata(this.metadataFields()));
      for (const tag of c.mux.headers()) this.sendTag(c, tag.type, tag.timestamp, tag.body);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, this.opts.publishSettleMs ?? 300);
        settling = (err) => {
          clearTimeout(t);
          reject(new AuthError(`${this.target}: the server closed the connection right after publish: the stream key was rejected or publishing is not permitted`, { target: this.target, cause: err }));
        };
      });
    } catch (e) {
      this.release(c);
      socket.destroy();
      throw e;
    } finally {
      settling = undefined;
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    }
    c.ping = setInterval(() => session.sendPing(), this.opts.pingIntervalMs ?? 5000);
    session.sendPing();
    c.connectedAt = performance.now();
    return c;
  }

  protected flush(c: Connection): void {
    while (c.socket.writableLength < SOCKET_HIGH_WATER) {
      const p = this.queue.shift();
      if (!p) return;
      const tag = c.mux.parts(p);
      if (!tag) continue;
      this.sendTag(c, tag.type, tag.timestamp, tag.parts);
      const q = this.queuedAt.get(p);
      if (q !== undefined) c.delivery.sentUpTo(c.session.bytesSent, q);
    }
  }

  protected override onQueued(p: EncodedPacket): void {
    this.queuedAt.set(p, performance.now());
  }

  /**
   * An Acknowledgement: the delivery delay of the newest packet it covers, and, while the socket is
   * backlogged (what we send is limited by the path, not by the encoder), the acknowledged byte
   * rate as the estimate B of the path.
   */
  private onAck(c: Connection, seq: number): void {
    const now = performance.now();
    c.acks++;
    c.delivery.ackedUpTo(seq, now);
    const backlogged = c.socket.writableLength > 0 || this.queue.durationMs > 200;
    c.ackRate.push({ at: now, bytes: c.delivery.acked, backlogged });
    while (c.ackRate.length > 2 && now - c.ackRate[0]!.at > 3000) c.ackRate.shift();
    // B is the acknowledged rate over a window in which we were mostly backlogged (the path, not
    // the encoder, limited what was sent). The drop policy empties the queue now and then, and the
    // gaps that follow would reset a stricter rule; they only make B a little low.
    const first = c.ackRate[0]!;
    const span = now - first.at;
    const busy = c.ackRate.filter((a) => a.backlogged).length / c.ackRate.length;
    if (span >= 1000 && busy >= 0.6) c.lastB = { kbps: Math.round(((c.delivery.acked - first.bytes) * 8) / span), at: now };
  }

  protected async close(c: Connection, reason: CloseReason): Promise<void> {
    this.release(c);
    if (reason === 'stop' && c.session.state === 'live') {
      c.session.stop();
      await c.socket.end();
    } else {
      c.session.close();
      c.socket.destroy();
    }
  }

  protected override onConfig(config: CodecConfig, c: Connection | undefined): void {
    if (!c) return;
    c.mux.update(config);
    for (const tag of c.mux.headers()) if ((tag.type === FlvTagType.Video) === (config.codec === 'h264')) this.sendTag(c, tag.type, tag.timestamp, tag.body);
  }

  protected override addStats(s: OutputStats, c: Connection | undefined): void {
    if (this.pingMs !== undefined) s.pingMs = this.pingMs;
    if (!c) return;
    const now = performance.now();
    const d = c.delivery.stats(now);
    if (d) s.deliveryMs = { p50: d.p50, p95: d.p95 };
    else if (now - c.connectedAt > 10_000 && c.acks === 0) s.deliveryNote = 'no-acks';
    s.backlogMs = Math.round(this.queue.durationMs);
    s.socketBacklogBytes = c.socket.writableLength;
    // An estimate stays valid for 5 s: past that, the link may have changed unobserved.
    if (c.lastB && now - c.lastB.at < 5000 && c.lastB.kbps > 0) {
      s.availableBitrateKbps = c.lastB.kbps;
      s.utilization = s.bitrateKbps / c.lastB.kbps;
    }
  }

  /** One FLV tag as an RTMP audio or video message; the session copies the parts into its chunks. */
  private sendTag(c: Connection, type: number, timestamp: number, body: Uint8Array | readonly Uint8Array[]): void {
    const before = c.session.bytesSent;
    if (type === FlvTagType.Video) c.session.sendVideo(timestamp, body);
    else c.session.sendAudio(timestamp, body);
    const first = body instanceof Uint8Array ? body : body[0];
    this.sent(c.session.bytesSent - before, type === FlvTagType.Video && (first?.[1] ?? 0) === 1);
  }

  private release(c: Connection): void {
    for (const off of c.offs.splice(0)) off();
    if (c.ping) clearInterval(c.ping);
    c.ping = undefined;
  }

  private metadataFields(): { encoder: string; videodatarate?: number; audiodatarate?: number } {
    const m: { encoder: string; videodatarate?: number; audiodatarate?: number } = { encoder: this.opts.encoderName ?? 'Tandem Studio' };
    if (this.opts.videoBitrateKbps !== undefined) m.videodatarate = this.opts.videoBitrateKbps;
    if (this.opts.audioBitrateKbps !== undefined) m.audiodatarate = this.opts.audioBitrateKbps;
    return m;
  }
}

function parse(opts: RtmpOutputOptions): { target?: RtmpTarget; error?: TandemError; display: string } {
  try {
    const target = parseRtmpUrl(opts.url, opts.streamKey);
    return { target, display: target.redacted };
  } catch (e) {
    // Not an RTMP URL: show only scheme and host, since we cannot tell where a key might be.
    const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@]*)/i.exec(opts.url.trim());
    return { error: e instanceof TandemError ? e : new InputError('invalid-url', 'invalid RTMP URL'), display: m ? `${m[1]}/****` : '****' };
  }
}
