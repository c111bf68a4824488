// Small helpers of WhipOutput: waiting for ICE+DTLS (RFC 8445 §8 / RFC 8827), error typing
// (docs/ARCHITECTURE.md habit 5), loopback host candidates, random RTP timestamp bases (RFC 3550 §5.1).
import { ConnectError, ProtocolError, TandemError } from '../../../shared/errors';
import type { WhipPeer } from './peer';

/** Resolve once the peer is connected; reject with a ConnectError on failure, timeout or stop. */
export function waitConnected(peer: WhipPeer, o: { target: string; timeoutMs: number; stopped: () => boolean }): Promise<void> {
  if (peer.connected) return Promise.resolve();
  const target = o.target;
  return new Promise((resolve, reject) => {
    const done = (err?: TandemError): void => {
      clearTimeout(timer);
      clearInterval(poll);
      off();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => done(new ConnectError('connection-timeout', `WHIP media to ${target}: ICE/DTLS did not connect within ${o.timeoutMs} ms`, { target })),
      o.timeoutMs,
    );
    const poll = setInterval(() => {
      if (o.stopped()) done(new ConnectError('connection-closed', `WHIP output ${target} stopped while connecting`, { target }));
    }, 100);
    const off = peer.on('state', (s) => {
      if (s === 'connected') done();
      else if (s === 'failed' || s === 'closed') done(new ConnectError('connection-refused', `WHIP media to ${target}: ICE/DTLS ${s}`, { target }));
    });
  });
}

export function toTandem(err: unknown, target: string): TandemError {
  if (err instanceof TandemError) return err;
  return new ProtocolError(`WHIP output ${target} failed: ${err instanceof Error ? err.message : String(err)}`, { target, cause: err });
}

/** RFC 3550 §5.1: the initial RTP timestamp should be random. */
export function randomU32(): number {
  return Math.floor(Math.random() * 0x1_0000_0000);
}

/** werift skips loopback host candidates; a loopback WHIP server needs them. */
export function defaultHostAddresses(url: string): string[] | undefined {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1'] : undefined;
  } catch {
    return undefined;
  }
}
