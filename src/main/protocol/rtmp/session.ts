// The publishing client session, sans I/O: bytes in (receive), bytes out (the `send` sink),
// events and promises for the caller. Spec: RTMP Specification 1.0, 5.2 handshake, 5.4 protocol
// control (Set Chunk Size, Acknowledgement after each Window Acknowledgement Size of bytes, a
// Window Acknowledgement Size in answer to Set Peer Bandwidth), 6.2/7.1.7 user control (answer
// PingRequest with PingResponse), 7.2.1.1 connect, 7.2.1.3 createStream, 7.2.2.6 publish and
// 7.2.2.3 deleteStream; the FMLE/OBS additions releaseStream, FCPublish and FCUnpublish; the
// onStatus codes of NetStream.Publish.*. Enhanced RTMP v1: `fourCcList` in connect.
import { AuthError, ConnectError, InvalidStateError, ProtocolError, TandemError } from '../../../shared/errors';
import { redactText } from '../../../shared/redact';
import { TypedEmitter } from '../../util/emitter';
import { amf0Props, type Amf0Object, type Amf0Value } from '../amf0/amf0';
import { ChunkReader } from './chunk-reader';
import { ChunkWriter, type OutgoingMessage } from './chunk-writer';
import { ClientHandshake } from './handshake';
import {
  Csid, MessageType, UserControlEvent, acknowledgementMessage, audioMessage, commandMessage, dataMessage,
  parseCommand, parsePeerBandwidth, parseUserControl, pingRequestMessage, pingResponseMessage, readU32Payload,
  setChunkSizeMessage, videoMessage, windowAckSizeMessage, type Command, type RtmpMessage,
} from './messages';

export type SessionState = 'new' | 'handshaking' | 'connecting' | 'publishing' | 'live' | 'closing' | 'closed';

export interface StatusInfo {
  level: string;
  code: string;
  description: string;
}

export interface RtmpSessionOptions {
  app: string;
  tcUrl: string;
  /** The publish name (stream key). Never appears in errors or events. */
  streamKey: string;
  /** The destination as shown to users (redacted), used in error messages. */
  target: string;
  /**
   * Where outgoing bytes go, in order: one call per message, each a view the session never
   * modifies afterwards (consecutive ones usually adjacent in one buffer, chunk-writer.ts).
   */
  send: (bytes: Uint8Array) => void;
  /** Clock in ms (handshake time fields and ping round trips). */
  now?: () => number;
  /** Random bytes for C1. */
  random?: (n: number) => Uint8Array;
  flashVer?: string;
  /**
   * Enhanced RTMP codecs to announce: only those this session can send (H.264 today, so
   * ['avc1'] by default); null leaves `fourCcList` out of connect.
   */
  fourCcList?: readonly string[] | null;
  /** Outgoing chunk size, set right after the handshake. OBS uses 4096. */
  chunkSize?: number;
  /**
   * The Window Acknowledgement Size we ask the server to acknowledge us by (§5.4.4), bytes: small,
   * so that Acknowledgements time our delivery (docs/ARCHITECTURE.md "Delivery delay"). Default 128 KiB.
   */
  ackWindow?: number;
  /** Largest message accepted from the server. */
  maxMessageSize?: number;
}

export interface RtmpSessionEvents {
  status: (info: StatusInfo) => void;
  /** Round trip of a PingRequest we sent, ms. */
  ping: (rttMs: number) => void;
  /** A fatal failure after the stream went live (before that, publish() rejects instead). */
  error: (err: TandemError) => void;
  /** The server acknowledged this many bytes in total (§5.4.3, 32-bit, wrapping). */
  ack: (sequence: number) => void;
}

interface Pending {
  name: string;
  resolve: (cmd: Command) => void;
  reject: (err: TandemError) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: TandemError) => void;
}

const defaultRandom = (n: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (Math.random() * 256) | 0;
  return b;
};

const str = (v: Amf0Value | undefined): string => (typeof v === 'string' ? v : '');

export class RtmpClientSession extends TypedEmitter<RtmpSessionEvents> {
  state: SessionState = 'new';
  /** Message stream id from createStream. */
  streamId = 0;
  bytesSent = 0;
  bytesReceived = 0;
  /** Last Acknowledgement sequence number from the server. */
  bytesAcked = 0;
  readonly writer = new ChunkWriter();
  private readonly reader: ChunkReader;
  private readonly hs: ClientHandshake;
  private readonly now: () => number;
  private readonly pending = new Map<number, Pending>();
  private nextTxid = 1;
  private handshakeWaiter: Waiter | undefined;
  private publishWaiter: Waiter | undefined;
  private publishSent = false;
  private ackWindow = 0;
  private lastAck = 0;
  private lastWindowSent = -1;
  private ping: { ts: number; at: number } | undefined;

  constructor(private readonly opts: RtmpSessionOptions) {
    super();
    this.now = opts.now ?? (() => Date.now());
    this.reader = new ChunkReader({ maxMessageSize: opts.maxMessageSize ?? 1024 * 1024, maxPendingBytes: 4 * 1024 * 1024 });
    this.hs = new ClientHandshake(0, (opts.random ?? defaultRandom)(1528));
  }

  /** Handshake, connect, releaseStream, FCPublish, createStream, publish; resolves when live. */
  async publish(): Promise<number> {
    if (this.state !== 'new') throw new InvalidStateError('publish() called twice', { target: this.opts.target });
    this.state = 'handshaking';
    const handshake = new Promise<void>((resolve, reject) => (this.handshakeWaiter = { resolve, reject }));
    this.sendRaw(this.hs.c0c1());
    await handshake;
    this.expect('handshaking');
    const size = this.opts.chunkSize ?? 4096;
    this.sendMessage(setChunkSizeMessage(size));
    this.writer.setChunkSize(size);
    this.lastWindowSent = this.opts.ackWindow ?? 128 * 1024;
    this.sendMessage(windowAckSizeMessage(this.lastWindowSent));
    this.state = 'connecting';
    const cmdObj: Amf0Object = {
      app: this.opts.app,
      type: 'nonprivate',
      flashVer: this.opts.flashVer ?? 'FMLE/3.0 (compatible; TandemStudio)',
      swfUrl: this.opts.tcUrl,
      tcUrl: this.opts.tcUrl,
    };
    const fourCc = this.opts.fourCcList === undefined ? ['avc1'] : this.opts.fourCcList;
    if (fourCc) cmdObj.fourCcList = [...fourCc];
    const connected = await this.call('connect', cmdObj, []);
    const info = amf0Props(connected.args[0] ?? null) ?? {};
    const code = str(info.code);
    if (code !== '' && code !== 'NetConnection.Connect.Success') throw this.connectRejected(code, str(info.description));
    this.expect('connecting');
    this.state = 'publishing';
    const key = this.opts.streamKey;
    this.sendMessage(commandMessage('releaseStream', this.nextTxid++, null, [key]));
    this.sendMessage(commandMessage('FCPublish', this.nextTxid++, null, [key]));
    const created = await this.call('createStream', null, []);
    const id = created.args[0];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new ProtocolError(`${this.opts.target}: createStream returned no stream id`, { target: this.opts.target });
    }
    this.expect('publishing');
    this.streamId = id;
    const started = new Promise<void>((resolve, reject) => (this.publishWaiter = { resolve, reject }));
    this.publishSent = true;
    const txid = this.nextTxid++;
    this.pending.set(txid, {
      name: 'publish',
      resolve: () => undefined, // some servers answer _result before onStatus
      reject: (err) => {
        const w = this.publishWaiter;
        this.publishWaiter = undefined;
        w?.reject(err);
      },
    });
    this.sendMessage(commandMessage('publish', txid, null, [key, 'live'], { csid: Csid.Stream, streamId: id }));
    await started;
    this.expect('publishing');
    this.state = 'live';
    return id;
  }

  /** Feed bytes from the server. Failures close the session; they never throw. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'closed' || this.state === 'new') return;
    this.bytesReceived += bytes.length;
    try {
      let data = bytes;
      if (this.handshakeWaiter) {
        const r = this.hs.push(data, this.now());
        if (!r) return;
        this.sendRaw(r.c2);
        const w = this.handshakeWaiter;
        this.handshakeWaiter = undefined;
        w.resolve();
        data = r.rest;
      }
      if (data.length) for (const msg of this.reader.push(data)) this.handle(msg);
      if (this.ackWindow > 0 && this.bytesReceived - this.lastAck >= this.ackWindow) {
        this.lastAck = this.bytesReceived;
        this.sendMessage(acknowledgementMessage(this.bytesReceived >>> 0));
      }
    } catch (err) {
      this.fail(this.serverError(err));
    }
  }

  /**
   * What the server's bytes broke, naming the destination: the handshake, chunk and AMF parsers
   * know nothing of it, so their errors get it here (the code stays theirs).
   */
  private serverError(err: unknown): TandemError {
    const t = this.opts.target;
    if (err instanceof TandemError) {
      if (err.target !== undefined) return err;
      return new ProtocolError(`${t}: ${err.message}`, { target: t, cause: err, code: err.code, ...(err.status === undefined ? {} : { status: err.status }) });
    }
    return new ProtocolError(`${t}: malformed data from the server`, { target: t, cause: err });
  }

  sendMetadata(body: Uint8Array): void {
    this.sendMessage(dataMessage(body, this.liveStream(), 0));
  }
  /** One FLV video tag body (type 9), whole or in parts sent back to back (no join needed). */
  sendVideo(timestampMs: number, body: Uint8Array | readonly Uint8Array[]): void {
    this.sendMessage(videoMessage(body, this.liveStream(), timestampMs));
  }
  /** One FLV audio tag body (type 8), whole or in parts. */
  sendAudio(timestampMs: number, body: Uint8Array | readonly Uint8Array[]): void {
    this.sendMessage(audioMessage(body, this.liveStream(), timestampMs));
  }

  /** Send a PingRequest; the answer becomes a `ping` event. */
  sendPing(): void {
    if (this.state !== 'live') return;
    const ts = this.now() >>> 0;
    this.ping = { ts, at: this.now() };
    this.sendMessage(pingRequestMessage(ts));
  }

  /** Say goodbye (FCUnpublish, deleteStream) and close. */
  stop(): void {
    if (this.state === 'live') {
      this.state = 'closing';
      this.sendMessage(commandMessage('FCUnpublish', this.nextTxid++, null, [this.opts.streamKey]));
      this.sendMessage(commandMessage('deleteStream', this.nextTxid++, null, [this.streamId]));
    }
    this.close();
  }

  /** The transport closed under us: turn that into the error it means at this point. */
  transportClosed(cause?: unknown): void {
    const t = this.opts.target;
    const o = cause === undefined ? { target: t } : { target: t, cause };
    switch (this.state) {
      case 'handshaking':
        return this.fail(new ConnectError('connection-closed', `${t}: the server closed the connection during the RTMP handshake (not an RTMP server, or RTMPS needed?)`, o));
      case 'connecting':
        return this.fail(new ConnectError('connection-closed', `${t}: the server closed the connection during connect (wrong application name?)`, o));
      case 'publishing':
        if (this.publishSent) {
          return this.fail(new AuthError(`${t}: the server closed the connection right after publish: the stream key was rejected or publishing is not permitted`, o));
        }
        return this.fail(new ConnectError('connection-closed', `${t}: the server closed the connection before publishing started`, o));
      case 'live':
        return this.fail(new ConnectError('connection-closed', `${t}: disconnected mid-stream`, o));
      default:
        this.close();
    }
  }

  /** Idempotent. Rejects everything pending with `reason` (default: InvalidStateError). */
  close(reason?: TandemError): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const err = reason ?? new InvalidStateError(`${this.opts.target}: session closed`, { target: this.opts.target });
    const waiters = [this.handshakeWaiter, this.publishWaiter];
    this.handshakeWaiter = undefined;
    this.publishWaiter = undefined;
    for (const w of waiters) w?.reject(err);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
  }

  private fail(err: TandemError): void {
    if (this.state === 'closed') return;
    const wasLive = this.state === 'live';
    this.close(err);
    if (wasLive) this.emit('error', err);
  }

  private expect(state: SessionState): void {
    if (this.state !== state) throw new InvalidStateError(`${this.opts.target}: session closed`, { target: this.opts.target });
  }

  private liveStream(): number {
    if (this.state !== 'live') throw new InvalidStateError(`${this.opts.target}: not live`, { target: this.opts.target });
    return this.streamId;
  }

  private call(name: string, cmdObj: Amf0Object | null, args: Amf0Value[]): Promise<Command> {
    const txid = this.nextTxid++;
    return new Promise<Command>((resolve, reject) => {
      this.pending.set(txid, { name, resolve, reject });
      this.sendMessage(commandMessage(name, txid, cmdObj, args));
    });
  }

  private sendRaw(bytes: Uint8Array): void {
    this.bytesSent += bytes.length;
    this.opts.send(bytes);
  }

  private sendMessage(msg: OutgoingMessage): void {
    this.sendRaw(this.writer.write(msg));
  }

  private handle(msg: RtmpMessage): void {
    switch (msg.typeId) {
      case MessageType.Acknowledgement:
        this.bytesAcked = readU32Payload(msg);
        this.emit('ack', this.bytesAcked);
        return;
      case MessageType.WindowAckSize:
        this.ackWindow = readU32Payload(msg);
        return;
      case MessageType.SetPeerBandwidth: {
        // §5.4.5 asks for a Window Acknowledgement Size in answer when ours differs from the last
        // one sent; we keep asking for our own (smaller) window, which the peer bandwidth allows.
        const { size } = parsePeerBandwidth(msg);
        const ours = Math.min(size, this.opts.ackWindow ?? 128 * 1024);
        if (ours !== this.lastWindowSent) {
          this.lastWindowSent = ours;
          this.sendMessage(windowAckSizeMessage(ours));
        }
        return;
      }
      case MessageType.UserControl: {
        const uc = parseUserControl(msg);
        if (uc.event === UserControlEvent.PingRequest) this.sendMessage(pingResponseMessage(uc.value));
        else if (uc.event === UserControlEvent.PingResponse && this.ping && this.ping.ts === uc.value) {
          const rtt = this.now() - this.ping.at;
          this.ping = undefined;
          this.emit('ping', rtt);
        }
        return;
      }
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        this.command(parseCommand(msg));
        return;
      default:
        return; // chunk size and abort are applied by the reader; media and data are not for us
    }
  }

  private command(cmd: Command): void {
    if (cmd.name === '_result' || cmd.name === '_error') {
      const p = this.pending.get(cmd.transactionId);
      if (!p) return; // releaseStream / FCPublish answers, or stray ones
      this.pending.delete(cmd.transactionId);
      if (cmd.name === '_result') p.resolve(cmd);
      else p.reject(this.errorResult(p.name, cmd));
      return;
    }
    if (cmd.name === 'onStatus' || cmd.name === 'onFCPublish') {
      const props = amf0Props(cmd.args[0] ?? null) ?? {};
      const info: StatusInfo = {
        level: str(props.level),
        code: str(props.code),
        description: redactText(str(props.description), [this.opts.streamKey]),
      };
      this.emit('status', info);
      this.status(info, cmd.name === 'onStatus');
      return;
    }
    if (cmd.name === 'close') {
      this.fail(new ConnectError('connection-closed', `${this.opts.target}: the server closed the session`, { target: this.opts.target }));
    }
  }

  private status(info: StatusInfo, isOnStatus: boolean): void {
    const t = this.opts.target;
    if (this.publishWaiter) {
      const w = this.publishWaiter;
      if (isOnStatus && info.code === 'NetStream.Publish.Start') {
        this.publishWaiter = undefined;
        w.resolve();
      } else if (info.code === 'NetStream.Publish.BadName' || info.level === 'error') {
        this.publishWaiter = undefined;
        w.reject(this.publishRejected(info));
      }
      return;
    }
    if (this.state === 'live' && info.level === 'error') {
      this.fail(new ConnectError('server-error', `${t}: the server stopped the stream [${info.code}: ${info.description}]`, { target: t, status: info.code }));
    }
  }

  private publishRejected(info: StatusInfo): AuthError {
    const t = this.opts.target;
    const detail = `[${info.code}${info.description ? `: ${info.description}` : ''}]`;
    if (info.code === 'NetStream.Publish.BadName' && /already|busy|in use|exists/i.test(info.description)) {
      return new AuthError(`${t}: the stream is already live (another encoder publishes to this key) ${detail}`, { code: 'stream-busy', target: t, status: info.code });
    }
    if (info.code === 'NetStream.Publish.BadName') {
      return new AuthError(`${t}: the server rejected the stream key, or it is already live ${detail}`, { target: t, status: info.code });
    }
    return new AuthError(`${t}: the server rejected the stream key or publishing is not permitted ${detail}`, { target: t, status: info.code });
  }

  private connectRejected(code: string, description: string): AuthError {
    const t = this.opts.target;
    const d = redactText(description, [this.opts.streamKey]);
    return new AuthError(`${t}: the server refused the connection: wrong application name or not permitted [${code}${d ? `: ${d}` : ''}]`, { target: t, status: code });
  }

  private errorResult(name: string, cmd: Command): TandemError {
    const props = amf0Props(cmd.args[0] ?? null) ?? {};
    const code = str(props.code);
    const desc = redactText(str(props.description), [this.opts.streamKey]);
    if (name === 'connect') return this.connectRejected(code, desc);
    if (name === 'publish') return this.publishRejected({ level: 'error', code, description: desc });
    const t = this.opts.target;
    return new TandemError('server-error', `${t}: the server refused ${name} [${code}${desc ? `: ${desc}` : ''}]`, { target: t, status: code });
  }
}
