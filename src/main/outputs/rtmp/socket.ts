// The one file that touches node:net / node:tls for RTMP (docs/ARCHITECTURE.md habit 2): open a TCP or TLS
// connection with a timeout, SNI for host names, certificate verification on unless the
// destination explicitly opts out, and hand bytes and the close reason to the session glue.
// Writes are gathered for the rest of the current tick and handed to the socket together
// (docs/benchmarks/rtmp.md, issue 12): with TCP_NODELAY, one socket write per RTMP message meant
// one write() syscall and one TCP segment per audio or video message, i.e. one wakeup of the
// server per message.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectError, type TandemError } from '../../../shared/errors';
import { TypedEmitter } from '../../util/emitter';
import { mapSocketError } from './errors';

export interface SocketOptions {
  host: string;
  port: number;
  secure: boolean;
  /** false only for self-signed lab servers: an explicit, per-destination opt-out. */
  verifyCertificate: boolean;
  /** Connect (and TLS handshake) timeout, ms. */
  timeoutMs: number;
  /** Redacted destination for error messages. */
  target: string;
  /** Aborts the connection attempt (the output was stopped). */
  signal?: AbortSignal;
}

export interface RtmpSocketEvents {
  data: (bytes: Uint8Array) => void;
  drain: () => void;
  /** The connection is gone; `error` says why when it was not a clean end. */
  close: (error: TandemError | undefined) => void;
}

export class RtmpSocket extends TypedEmitter<RtmpSocketEvents> {
  private closed = false;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private error: TandemError | undefined;
  private readonly offs: (() => void)[] = [];

  private constructor(private readonly sock: net.Socket, private readonly target: string) {
    super();
    const on = <A extends unknown[]>(ev: string, fn: (...a: A) => void): void => {
      const h = fn as (...args: unknown[]) => void;
      sock.on(ev, h);
      this.offs.push(() => sock.off(ev, h));
    };
    on('data', (b: Buffer) => this.emit('data', b));
    on('drain', () => this.emit('drain'));
    on('error', (e: Error) => (this.error ??= mapSocketError(e, this.target, 'stream')));
    on('close', () => this.finish());
    on('end', () => sock.end());
  }

  /** Open the connection; rejects with a ConnectError naming the cause. */
  static connect(o: SocketOptions): Promise<RtmpSocket> {
    return new Promise<RtmpSocket>((resolve, reject) => {
      let sock: net.Socket;
      const servername = net.isIP(o.host) === 0 ? o.host : undefined;
      if (o.secure) {
        const opts: tls.ConnectionOptions = { host: o.host, port: o.port, rejectUnauthorized: o.verifyCertificate };
        if (servername !== undefined) opts.servername = servername;
        sock = tls.connect(opts);
      } else sock = net.connect({ host: o.host, port: o.port });
      sock.setNoDelay(true);
      const ready = o.secure ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => fail(new ConnectError('connection-timeout', `${o.target}: no connection after ${Math.round(o.timeoutMs / 1000)} s`, { target: o.target })), o.timeoutMs);
      const onAbort = (): void => fail(new ConnectError('connection-closed', `${o.target}: stopped while connecting`, { target: o.target }));
      o.signal?.addEventListener('abort', onAbort);
      const cleanup = (): void => {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        sock.off(ready, ok);
        sock.off('error', fail);
        sock.off('close', closed);
      };
      function ok(): void {
        cleanup();
        resolve(new RtmpSocket(sock, o.target));
      }
      function fail(e: unknown): void {
        cleanup();
        sock.destroy();
        reject(mapSocketError(e, o.target, 'connect'));
      }
      function closed(): void {
        fail(new ConnectError('connection-closed', `${o.target}: the server closed the connection while connecting`, { target: o.target }));
      }
      sock.once(ready, ok);
      sock.once('error', fail);
      sock.once('close', closed);
    });
  }

  /** Bytes queued: in the socket's user-space buffer, plus those written during this tick. */
  get writableLength(): number {
    return this.sock.writableLength + this.pendingBytes;
  }

  /**
   * Queue bytes; they go to the socket at the end of the current tick, together with everything
   * else written meanwhile (views that continue one another in the same ArrayBuffer, as the chunk
   * writer's output does, are merged into one). The caller must not change `bytes` afterwards.
   * Returns false once closed. Watch `writableLength` and `drain` for back-pressure: `drain`
   * comes after a flush that left the socket below its high-water mark, or when the socket's
   * own buffer has drained.
   */
  write(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    const n = bytes.byteLength;
    if (n === 0) return true;
    const i = this.pending.length - 1;
    const last = this.pending[i];
    if (last !== undefined && last.buffer === bytes.buffer && last.byteOffset + last.byteLength === bytes.byteOffset) {
      this.pending[i] = new Uint8Array(last.buffer, last.byteOffset, last.byteLength + n);
    } else {
      if (i < 0) process.nextTick(this.flush);
      this.pending.push(bytes);
    }
    this.pendingBytes += n;
    return true;
  }

  /** Hand what was written during this tick to the socket: one write, or one corked writev. */
  private readonly flush = (): void => {
    const parts = this.pending;
    if (parts.length === 0) return;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.closed) return;
    if (parts.length > 1) this.sock.cork();
    for (const p of parts) this.sock.write(p);
    if (parts.length > 1) this.sock.uncork();
    // The socket emits 'drain' itself only after a write that returned false.
    if (!this.sock.writableNeedDrain) this.emit('drain');
  };

  /** Flush what is queued, then close; destroys after `graceMs` if the peer does not close. */
  end(graceMs = 2000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => this.destroy(), graceMs);
      const off = this.on('close', () => {
        clearTimeout(t);
        off();
        resolve();
      });
      this.flush();
      this.sock.end();
    });
  }

  destroy(): void {
    this.sock.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    for (const off of this.offs.splice(0)) off();
    this.sock.on('error', () => undefined); // late errors after close must not crash the process
    this.sock.destroy();
    this.emit('close', this.error);
    this.removeAllListeners();
  }
}
