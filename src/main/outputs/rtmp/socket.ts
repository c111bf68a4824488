// The one file that touches node:net / node:tls for RTMP (DESIGN.md habit 2): open a TCP or TLS
// connection with a timeout, SNI for host names, certificate verification on unless the
// destination explicitly opts out, and hand bytes and the close reason to the session glue.
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

  get writableLength(): number {
    return this.sock.writableLength;
  }

  /** Queue bytes; returns false when the kernel buffer is full (wait for `drain`). */
  write(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    return this.sock.write(bytes);
  }

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
    for (const off of this.offs.splice(0)) off();
    this.sock.on('error', () => undefined); // late errors after close must not crash the process
    this.sock.destroy();
    this.emit('close', this.error);
    this.removeAllListeners();
  }
}
