// RtmpOutput: the Output (src/main/outputs/output.ts) for RTMP and RTMPS destinations. Glue only:
// the protocol lives in src/main/protocol/{rtmp,flv,amf0} (sans I/O), the socket in socket.ts,
// the retry timing in reconnect.ts, the drop policy in ../queue.ts.
import { AuthError, InputError, InvalidStateError, TandemError } from '../../../shared/errors';
import { emptyStats, type OutputState, type OutputStats } from '../../../shared/stats';
import { splitAnnexB } from '../../protocol/h264/annexb';
import { buildAvcDecoderConfigurationRecord } from '../../protocol/h264/avcc';
import { NalType, nalType } from '../../protocol/h264/nal';
import { aacFrameTag, aacSequenceHeaderTag, avcFrameTag, avcSequenceHeaderTag, setDataFrameBody, type StreamMetadata } from '../../protocol/flv/tags';
import type { AacConfig, CodecConfig, EncodedPacket, H264Config } from '../../protocol/media';
import { RtmpClientSession } from '../../protocol/rtmp/session';
import { parseRtmpUrl, type RtmpTarget } from '../../protocol/rtmp/url';
import { TypedEmitter } from '../../util/emitter';
import type { Output, OutputEvents } from '../output';
import { SendQueue } from '../queue';
import { ReconnectPolicy, type ReconnectOptions } from './reconnect';
import { RtmpSocket } from './socket';

export interface RtmpOutputOptions {
  id: string;
  /** rtmp[s]://host[:port]/app[/instance]/key, or the server URL when `streamKey` is given. */
  url: string;
  streamKey?: string;
  /** Verify the RTMPS certificate (default true). false is the explicit self-signed opt-out. */
  verifyCertificate?: boolean;
  /** Connect + handshake + publish timeout, ms (default 10 s). */
  connectTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  videoBitrateKbps?: number;
  audioBitrateKbps?: number;
  encoderName?: string;
  dropThresholdMs?: number;
  statsIntervalMs?: number;
  pingIntervalMs?: number;
  /**
   * After NetStream.Publish.Start, how long the connection must stay up before start() resolves.
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
  offs: (() => void)[];
  live: boolean;
  /** dts (µs) that maps to RTMP timestamp 0; set at the first packet sent. */
  base: number | undefined;
  needKeyframe: boolean;
}

/** Keep at most this much in the socket's user-space buffer; the rest waits in the SendQueue. */
const SOCKET_HIGH_WATER = 256 * 1024;

export class RtmpOutput extends TypedEmitter<OutputEvents> implements Output {
  readonly id: string;
  readonly protocol: 'rtmp' | 'rtmps';
  private readonly target: RtmpTarget | undefined;
  private readonly targetError: TandemError | undefined;
  private readonly display: string;
  private readonly policy: ReconnectPolicy;
  private readonly queue: SendQueue;
  private state: OutputState = 'idle';
  private conn: Connection | undefined;
  private video: H264Config | undefined;
  private audio: AacConfig | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private reconnects = 0;
  private bytesBefore = 0;
  private framesSent = 0;
  private framesDroppedExtra = 0;
  private startedAt = 0;
  private connectTimeMs: number | undefined;
  private pingMs: number | undefined;
  private lastError: TandemError | undefined;
  private reconnectAt: number | undefined;
  private rate = { at: 0, bytes: 0, kbps: 0 };

  constructor(private readonly opts: RtmpOutputOptions) {
    super();
    this.id = opts.id;
    this.policy = new ReconnectPolicy(opts.reconnect);
    this.queue = new SendQueue(opts.dropThresholdMs === undefined ? {} : { dropThresholdMs: opts.dropThresholdMs });
    try {
      this.target = parseRtmpUrl(opts.url, opts.streamKey);
      this.display = this.target.redacted;
    } catch (e) {
      this.targetError = e instanceof TandemError ? e : new InputError('invalid-url', 'invalid RTMP URL');
      // Not an RTMP URL: show only scheme and host, since we cannot tell where a key might be.
      const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@]*)/i.exec(opts.url.trim());
      this.display = m ? `${m[1]}/****` : '****';
    }
    this.protocol = this.target?.secure || /^rtmps:/i.test(opts.url) ? 'rtmps' : 'rtmp';
  }

  async start(configs: readonly CodecConfig[]): Promise<void> {
    if (this.state !== 'idle') throw new InvalidStateError(`${this.display}: start() called twice`, { target: this.display });
    if (this.targetError) throw this.fail(this.targetError);
    for (const c of configs) {
      if (c.codec === 'h264') this.video = c;
      else if (c.codec === 'aac') this.audio = c;
    }
    this.startedAt = Date.now();
    this.setState('connecting');
    try {
      await this.connect();
    } catch (e) {
      throw this.fail(e instanceof TandemError ? e : new TandemError('internal', String(e)));
    }
    this.connectTimeMs = Date.now() - this.startedAt;
    this.setState('live');
    const statsEvery = this.opts.statsIntervalMs ?? 1000;
    this.timers.push(setInterval(() => this.emit('stats', this.stats()), statsEvery));
    this.timers.push(setInterval(() => this.conn?.session.sendPing(), this.opts.pingIntervalMs ?? 5000));
    this.conn?.session.sendPing();
  }

  write(packet: EncodedPacket): void {
    if (this.state !== 'live' && this.state !== 'connecting') {
      if (this.state === 'reconnecting' && packet.track === 'video') this.framesDroppedExtra++;
      return;
    }
    if (packet.codec !== 'h264' && packet.codec !== 'aac') return; // RTMP track 0 carries H.264 + AAC
    this.queue.push(packet);
    this.pump();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    const wasFailed = this.state === 'failed';
    this.setState('stopping');
    this.clearTimers();
    const c = this.conn;
    this.conn = undefined;
    if (c) {
      this.detach(c);
      if (c.live) c.session.stop();
      else c.session.close();
      this.bytesBefore += c.session.bytesSent;
      await c.socket.end();
    }
    this.queue.clear();
    this.setState(wasFailed ? 'failed' : 'stopped');
    this.removeAllListeners();
  }

  stats(): OutputStats {
    const s = emptyStats(this.id, this.protocol, this.display);
    s.state = this.state;
    s.bytesSent = this.bytesSent();
    const now = Date.now();
    if (now - this.rate.at >= 500) {
      if (this.rate.at > 0) this.rate.kbps = ((s.bytesSent - this.rate.bytes) * 8) / (now - this.rate.at);
      this.rate.at = now;
      this.rate.bytes = s.bytesSent;
    }
    s.bitrateKbps = Math.round(this.rate.kbps);
    s.framesSent = this.framesSent;
    s.framesDropped = this.queue.framesDropped + this.framesDroppedExtra;
    s.queueMs = Math.round(this.queue.durationMs);
    s.congestion = this.queue.congestion;
    s.reconnects = this.reconnects;
    if (this.connectTimeMs !== undefined) s.connectTimeMs = this.connectTimeMs;
    if (this.pingMs !== undefined) s.pingMs = this.pingMs;
    if (this.reconnectAt !== undefined && this.state === 'reconnecting') s.reconnectInSec = Math.max(0, Math.ceil((this.reconnectAt - now) / 1000));
    if (this.lastError) s.lastError = { code: this.lastError.code, message: this.lastError.message };
    return s;
  }

  // ------------------------------------------------------------------------------------------

  private bytesSent(): number {
    return this.bytesBefore + (this.conn?.session.bytesSent ?? 0);
  }

  private setState(state: OutputState, detail?: { attempt?: number; delayMs?: number; error?: TandemError }): void {
    this.state = state;
    if (detail) this.emit('state', state, detail);
    else this.emit('state', state);
  }

  private fail(err: TandemError): TandemError {
    this.lastError = err;
    this.clearTimers();
    this.setState('failed', { error: err });
    this.emit('error', err);
    return err;
  }

  private clearTimers(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** One connection attempt: socket, handshake, publish, then metadata and sequence headers. */
  private async connect(): Promise<void> {
    const t = this.target as RtmpTarget;
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const socket = await RtmpSocket.connect({
      host: t.host, port: t.port, secure: t.secure, verifyCertificate: this.opts.verifyCertificate ?? true, timeoutMs, target: this.display,
    });
    const session = new RtmpClientSession({
      app: t.app, tcUrl: t.tcUrl, streamKey: t.streamKey, target: this.display, send: (b) => socket.write(b),
      ...(this.opts.fourCcList === undefined ? {} : { fourCcList: this.opts.fourCcList }),
    });
    const c: Connection = { socket, session, offs: [], live: false, base: undefined, needKeyframe: this.video !== undefined };
    c.offs.push(socket.on('data', (b) => session.receive(b)));
    c.offs.push(socket.on('close', (err) => session.transportClosed(err)));
    c.offs.push(socket.on('drain', () => this.pump()));
    let settling: ((err: TandemError) => void) | undefined;
    c.offs.push(session.on('error', (err) => (settling ? settling(err) : this.disconnected(c, err))));
    c.offs.push(session.on('ping', (ms) => (this.pingMs = ms)));
    const timer = setTimeout(() => {
      session.close(new TandemError('connection-timeout', `${this.display}: the server did not answer within ${Math.round(timeoutMs / 1000)} s`, { target: this.display }));
      socket.destroy();
    }, Math.max(1, deadline - Date.now()));
    try {
      await session.publish();
    } catch (e) {
      this.detach(c);
      socket.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    const meta: StreamMetadata = { encoder: this.opts.encoderName ?? 'Tandem Studio' };
    if (this.video) {
      Object.assign(meta, { width: this.video.width, height: this.video.height, framerate: this.video.fps, videocodecid: 7 });
      if (this.opts.videoBitrateKbps !== undefined) meta.videodatarate = this.opts.videoBitrateKbps;
    }
    if (this.audio) {
      Object.assign(meta, { audiocodecid: 10, audiosamplerate: this.audio.sampleRate, audiochannels: this.audio.channels });
      if (this.opts.audioBitrateKbps !== undefined) meta.audiodatarate = this.opts.audioBitrateKbps;
    }
    session.sendMetadata(setDataFrameBody(meta));
    if (this.video) session.sendVideo(0, avcSequenceHeaderTag(buildAvcDecoderConfigurationRecord(this.video.sps, this.video.pps)));
    if (this.audio) session.sendAudio(0, aacSequenceHeaderTag(this.audio.asc));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, this.opts.publishSettleMs ?? 300);
        settling = (err) => {
          clearTimeout(t);
          const o = { target: this.display, cause: err };
          reject(new AuthError(`${this.display}: the server closed the connection right after publish: the stream key was rejected or publishing is not permitted`, o));
        };
      });
    } catch (e) {
      this.detach(c);
      socket.destroy();
      throw e;
    } finally {
      settling = undefined;
    }
    c.live = true;
    this.conn = c;
    this.pump();
  }

  private detach(c: Connection): void {
    for (const off of c.offs.splice(0)) off();
  }

  private pump(): void {
    const c = this.conn;
    if (!c || !c.live) return;
    while (c.socket.writableLength < SOCKET_HIGH_WATER) {
      const p = this.queue.shift();
      if (!p) return;
      if (c.needKeyframe) {
        if (!(p.track === 'video' && p.keyframe)) {
          if (p.track === 'video') this.framesDroppedExtra++;
          continue; // a new connection starts at a keyframe
        }
        c.needKeyframe = false;
      }
      c.base ??= p.dts;
      const ts = Math.max(0, Math.floor((p.dts - c.base) / 1000));
      if (p.codec === 'h264') {
        const cts = Math.round((p.pts - p.dts) / 1000);
        c.session.sendVideo(ts, flvAvcParts(splitAnnexB(p.data), p.keyframe, cts));
        this.framesSent++;
      } else if (p.codec === 'aac') c.session.sendAudio(ts, [aacFrameTag(NO_BYTES), p.data]);
      if (!c.live) return;
    }
  }

  /** The live connection broke: reconnect per the policy, or fail. */
  private disconnected(c: Connection, err: TandemError): void {
    if (this.conn !== c) return;
    this.conn = undefined;
    this.detach(c);
    c.live = false;
    c.socket.destroy();
    this.bytesBefore += c.session.bytesSent;
    this.lastError = err;
    this.emit('error', err);
    this.queue.clear();
    this.attempt = 0;
    this.scheduleRetry(err);
  }

  private scheduleRetry(err: TandemError): void {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    const attempt = ++this.attempt;
    const delayMs = this.policy.delayMs(attempt);
    if (delayMs === undefined) {
      this.fail(err);
      return;
    }
    this.reconnectAt = Date.now() + delayMs;
    this.setState('reconnecting', { attempt, delayMs, error: err });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const t0 = Date.now();
      this.connect().then(
        () => {
          if (this.state !== 'reconnecting') {
            const c = this.conn;
            this.conn = undefined;
            if (c) {
              this.detach(c);
              c.session.stop();
              void c.socket.end();
            }
            return;
          }
          this.reconnects++;
          this.attempt = 0;
          this.connectTimeMs = Date.now() - t0;
          this.reconnectAt = undefined;
          this.setState('live');
        },
        (e: unknown) => {
          const te = e instanceof TandemError ? e : new TandemError('internal', String(e));
          if (this.state !== 'reconnecting') return;
          this.lastError = te;
          if (te instanceof AuthError) this.fail(te); // a rejected key is final: no retry storm
          else this.scheduleRetry(te);
        },
      );
    }, delayMs);
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * One access unit as the parts of an FLV AVC tag body, which the session copies straight into
 * RTMP chunks (no joined copies, docs/benchmarks/rtmp.md): the tag header (flv/tags with no
 * data), then each NAL unit after its 4-byte length (AVCC, ISO/IEC 14496-15 5.3.2; our
 * decoder configuration record says lengthSizeMinusOne = 3), AUDs left out (FLV frames itself).
 */
function flvAvcParts(nalus: readonly Uint8Array[], keyframe: boolean, cts: number): Uint8Array[] {
  const parts = [avcFrameTag(NO_BYTES, keyframe, cts)];
  for (const n of nalus) {
    if (nalType(n) === NalType.AUD) continue;
    const len = n.length;
    parts.push(new Uint8Array([len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]), n);
  }
  return parts;
}
