// RtmpOutput: the Output for RTMP and RTMPS destinations, on the output base (../base.ts: state
// machine, reconnect policy, keyframe gate, drop policy, bitrate meter). Glue only: the protocol
// lives in src/main/protocol/{rtmp,flv,amf0} (sans I/O), the socket in socket.ts, FLV tags come
// from the one muxer (protocol/flv/mux.ts) that recording uses too.
import { AuthError, InputError, TandemError } from '../../../shared/errors';
import type { OutputStats } from '../../../shared/stats';
import type { CodecConfig } from '../../protocol/media';
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
}

/** Keep at most this much in the socket's user-space buffer; the rest waits in the SendQueue. */
const SOCKET_HIGH_WATER = 256 * 1024;

/** What RTMP track 0 carries (legacy AVC + AAC, so every server reads it). */
const RTMP_CODECS = ['h264', 'aac'] as const;

export class RtmpOutput extends OutputBase<Connection> {
  private readonly dest: RtmpTarget | undefined;
  private readonly targetError: TandemError | undefined;
  private pingMs: number | undefined;

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
    const c: Connection = { socket, session, mux: new FlvMuxer(flvTracks(this.configs)), offs: [], ping: undefined, pingMs: undefined };
    let settling: ((err: TandemError) => void) | undefined;
    c.offs.push(
      socket.on('data', (b) => session.receive(b)),
      socket.on('close', (err) => session.transportClosed(err)),
      socket.on('drain', () => this.flush(c)),
      session.on('error', (err) => (settling ? settling(err) : this.dropped(c, err))),
      session.on('ping', (ms) => (this.pingMs = ms)),
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
    return c;
  }

  protected flush(c: Connection): void {
    while (c.socket.writableLength < SOCKET_HIGH_WATER) {
      const p = this.queue.shift();
      if (!p) return;
      const tag = c.mux.parts(p);
      if (tag) this.sendTag(c, tag.type, tag.timestamp, tag.parts);
    }
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

  protected override addStats(s: OutputStats): void {
    if (this.pingMs !== undefined) s.pingMs = this.pingMs;
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
