// The one output base (docs/ARCHITECTURE.md "Outputs"): every output — RTMP, WHIP, recording —
// runs the same state machine, reconnect policy, keyframe gate, send queue and bitrate meter;
// a subclass brings only its connection (connect / flush / close) and its own stats.
//
//   idle ─start─► connecting ─ok─► live ─drop─► reconnecting ─(wait)─► attempt ─ok─► live …
//                     │  └─fail, retryable─► reconnecting          └─fail─► reconnecting | failed
//                     └─fail, final─► failed                          stop() from any state ─► stopped
//
// - A failure a retry can fix (outputs/errors.ts) is a state, never an 'error' event: the first
//   connect is retried too (a server not up yet, a DNS hiccup). 'error' fires once, terminally.
// - A subclass may try to recover a dropped connection in place first (WHIP: ICE restart) before
//   the base tears it down and connects anew.
// - Each (re)connection starts at a keyframe: video (and the audio beside it) is dropped until the
//   first keyframe after going live; the owner asks the encoder for one when it sees 'live'.
// - stop() during a wait cancels it, during a connect attempt aborts it: nothing connects after.
import type { Codec, CodecConfig, EncodedPacket } from '../protocol/media';
import { ConnectError, InvalidStateError, type TandemError } from '../../shared/errors';
import { emptyStats, type OutputState, type OutputStats, type Protocol } from '../../shared/stats';
import { TypedEmitter } from '../util/emitter';
import { isRetryable, normalizeError } from './errors';
import { BitrateMeter } from './meter';
import type { Output, OutputEvents, StateDetail } from './output';
import { SendQueue } from './queue';
import { ReconnectPolicy, type ReconnectOptions } from './reconnect';

export interface OutputBaseOptions {
  id: string;
  protocol: Protocol;
  /** Redacted destination (never a key or token), for errors and stats. */
  target: string;
  /** Codecs this output carries; other packets are ignored. */
  codecs: readonly Codec[];
  reconnect?: ReconnectOptions;
  /** SendQueue drop threshold, ms (default 900). */
  dropThresholdMs?: number;
}

/** 'stop': the owner ends the output (say goodbye, flush a file). 'drop': the connection is gone or abandoned. */
export type CloseReason = 'stop' | 'drop';

const noop = (): void => undefined;

export abstract class OutputBase<C> extends TypedEmitter<OutputEvents> implements Output {
  readonly id: string;
  readonly protocol: Protocol;
  readonly target: string;
  protected readonly queue: SendQueue;
  protected readonly meter = new BitrateMeter();
  protected configs: readonly CodecConfig[] = [];
  private readonly codecs: ReadonlySet<Codec>;
  private readonly policy: ReconnectPolicy;
  private st: OutputState = 'idle';
  private conn: C | undefined;
  private pending: AbortController | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryAt: number | undefined;
  private attempt = 0;
  private needKeyframe = true;
  private everLive = false;
  private stopping: Promise<void> | undefined;
  private settle: { resolve: () => void; reject: (e: TandemError) => void } | undefined;
  private connectStartedAt = 0;
  private connectTimeMs: number | undefined;
  private lastError: TandemError | undefined;
  private reconnects = 0;
  private framesSent = 0;
  /** Video frames not sent because no connection was live, or while waiting for a keyframe. */
  private framesMissed = 0;

  constructor(o: OutputBaseOptions) {
    super();
    this.id = o.id;
    this.protocol = o.protocol;
    this.target = o.target;
    this.codecs = new Set(o.codecs);
    this.policy = new ReconnectPolicy(o.reconnect);
    this.queue = new SendQueue(o.dropThresholdMs === undefined ? {} : { dropThresholdMs: o.dropThresholdMs });
  }

  get state(): OutputState {
    return this.st;
  }

  start(configs: readonly CodecConfig[]): Promise<void> {
    if (this.st !== 'idle') return Promise.reject(new InvalidStateError(`${this.target}: start() called twice`, { target: this.target }));
    this.configs = configs.filter((c) => this.codecs.has(c.codec));
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    done.catch(noop); // the owner may not await it; the rejection is also the 'error' event
    this.setState('connecting', {});
    void this.tryConnect();
    return done;
  }

  write(p: EncodedPacket): void {
    if (!this.codecs.has(p.codec)) return;
    if (this.st !== 'live' || this.conn === undefined) {
      if (p.track === 'video' && this.everLive) this.framesMissed++;
      return;
    }
    if (this.needKeyframe) {
      if (p.track !== 'video' || !p.keyframe) {
        if (p.track === 'video') this.framesMissed++;
        return;
      }
      this.needKeyframe = false;
    }
    if (this.queue.push(p)) this.onQueued(p);
    this.flush(this.conn);
  }

  updateConfig(config: CodecConfig): void {
    if (!this.codecs.has(config.codec)) return;
    this.configs = [...this.configs.filter((c) => c.codec !== config.codec), config];
    this.onConfig(config, this.st === 'live' ? this.conn : undefined);
  }

  retryNow(): boolean {
    if (this.st !== 'reconnecting' || this.retryTimer === undefined) return false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.tryConnect();
    return true;
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  stats(): OutputStats {
    const s = emptyStats(this.id, this.protocol, this.target);
    s.state = this.st;
    s.bytesSent = this.meter.total;
    s.bitrateKbps = Math.round(this.meter.kbps());
    s.framesSent = this.framesSent;
    s.framesDropped = this.queue.framesDropped + this.framesMissed;
    s.queueMs = Math.round(this.queue.durationMs);
    s.congestion = this.queue.congestion;
    s.reconnects = this.reconnects;
    if (this.connectTimeMs !== undefined) s.connectTimeMs = this.connectTimeMs;
    if (this.st === 'reconnecting' && this.retryAt !== undefined) s.reconnectInSec = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
    if (this.lastError) s.lastError = { code: this.lastError.code, message: this.lastError.message };
    this.addStats(s, this.conn);
    return s;
  }

  // ── for subclasses ─────────────────────────────────────────────────────────────────────────

  /** One connection attempt; resolves once media can flow. Rejections are normalised and judged by the base. */
  protected abstract connect(signal: AbortSignal): Promise<C>;
  /** Move what the connection can take now from `this.queue` to the wire. */
  protected abstract flush(conn: C): void;
  /**
   * Release a connection (goodbye and flush on 'stop'). A rejection on 'stop' means the output
   * could not end cleanly (a recorder that failed to finalise): it ends 'failed' with that error.
   */
  protected abstract close(conn: C, reason: CloseReason): Promise<void>;
  /** Whether recover() can revive a dropped connection in place. */
  protected readonly recovers: boolean = false;
  /** Try to revive a dropped connection in place (e.g. ICE restart). Default: no. */
  protected recover(_conn: C, _error: TandemError): Promise<boolean> {
    return Promise.resolve(false);
  }
  /** A packet entered the send queue (the moment delivery delay counts from). */
  protected onQueued(_p: EncodedPacket): void {}
  /** A track's config changed while `conn` is live (e.g. send a new sequence header). */
  protected onConfig(_config: CodecConfig, _conn: C | undefined): void {}
  /** Protocol-specific figures for stats(). */
  protected addStats(_s: OutputStats, _conn: C | undefined): void {}

  /** The current connection (live, or being recovered), if any. */
  protected get connection(): C | undefined {
    return this.conn;
  }

  /** Whether any connection of this output has been live (a reconnect, not a first connect). */
  protected get hasBeenLive(): boolean {
    return this.everLive;
  }

  /** Count what reached the wire (bytes, and one video frame when `videoFrame`). */
  protected sent(bytes: number, videoFrame: boolean): void {
    this.meter.add(bytes);
    if (videoFrame) this.framesSent++;
  }

  /** The live connection `conn` broke: recover, reconnect per the policy, or fail. */
  protected dropped(conn: C, cause: unknown): void {
    void this.handleDrop(conn, cause);
  }

  /**
   * Like a drop, but asked for (an ICE restart on demand): resolves true when the connection
   * was recovered in place, false when the output went on to reconnect anew (or fail).
   */
  protected restartConnection(cause: unknown): Promise<boolean> {
    const c = this.conn;
    if (c === undefined || this.st !== 'live') return Promise.resolve(false);
    return this.handleDrop(c, cause);
  }

  private async handleDrop(conn: C, cause: unknown): Promise<boolean> {
    if (this.conn !== conn || this.stopping || this.st !== 'live') return false;
    const err = normalizeError(cause, this.target);
    this.lastError = err;
    this.queue.clear();
    let ok = false;
    if (this.recovers) {
      this.setState('reconnecting', { attempt: 1, delayMs: 0, error: err });
      ok = await this.recover(conn, err).catch(() => false);
    }
    if (this.stopping || this.conn !== conn) return false;
    if (ok) {
      this.reconnects++;
      this.wentLive();
      return true;
    }
    this.conn = undefined;
    void this.close(conn, 'drop').catch(noop);
    this.retryOrFail(err);
    return false;
  }

  // ── the state machine ──────────────────────────────────────────────────────────────────────

  private async tryConnect(): Promise<void> {
    const ac = new AbortController();
    this.pending = ac;
    this.retryAt = undefined;
    this.connectStartedAt = performance.now();
    let conn: C;
    try {
      conn = await this.connect(ac.signal);
    } catch (e) {
      if (this.pending === ac) this.pending = undefined;
      if (this.stopping || ac.signal.aborted) return;
      this.retryOrFail(normalizeError(e, this.target));
      return;
    }
    if (this.pending === ac) this.pending = undefined;
    if (this.stopping || ac.signal.aborted) {
      await this.close(conn, 'stop').catch(noop);
      return;
    }
    this.conn = conn;
    this.connectTimeMs = Math.round(performance.now() - this.connectStartedAt);
    if (this.everLive) this.reconnects++;
    this.wentLive();
  }

  private wentLive(): void {
    this.attempt = 0;
    this.needKeyframe = true;
    this.queue.clear();
    this.everLive = true;
    this.setState('live', {});
    this.settle?.resolve();
    this.settle = undefined;
  }

  private retryOrFail(err: TandemError): void {
    this.lastError = err;
    const delayMs = isRetryable(err) ? this.policy.delayMs(++this.attempt) : undefined;
    if (delayMs === undefined) {
      this.fail(err);
      return;
    }
    this.retryAt = Date.now() + delayMs;
    this.setState('reconnecting', { attempt: this.attempt, delayMs, error: err });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.tryConnect();
    }, delayMs);
  }

  private fail(err: TandemError): void {
    this.lastError = err;
    this.clearTimers();
    this.queue.clear();
    const c = this.conn;
    this.conn = undefined;
    if (c !== undefined) void this.close(c, 'drop').catch(noop);
    this.setState('failed', { error: err });
    this.settle?.reject(err);
    this.settle = undefined;
    this.emit('error', err);
  }

  private async doStop(): Promise<void> {
    this.clearTimers();
    this.pending?.abort();
    this.pending = undefined;
    const terminal = this.st === 'failed' || this.st === 'stopped';
    if (!terminal && this.st !== 'idle') this.setState('stopping', {});
    const c = this.conn;
    this.conn = undefined;
    let closeError: TandemError | undefined;
    if (c !== undefined) await this.close(c, 'stop').catch((e: unknown) => (closeError = normalizeError(e, this.target)));
    this.queue.clear();
    if (closeError && this.st !== 'failed') {
      this.lastError = closeError;
      this.setState('failed', { error: closeError });
      this.emit('error', closeError);
    } else if (this.st !== 'failed') this.setState('stopped', {});
    this.settle?.reject(new ConnectError('connection-closed', `${this.target}: stopped before it went live`, { target: this.target }));
    this.settle = undefined;
  }

  private clearTimers(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAt = undefined;
  }

  private setState(state: OutputState, detail: StateDetail): void {
    this.st = state;
    this.emit('state', state, detail);
  }
}
