/**
 * Free loopback ports for test peers. Everything binds 127.0.0.1 unless given the address of a
 * test link of ours (netns.ts).
 *
 *   freePort(): Promise<number>                 one free TCP port on 127.0.0.1
 *   freePorts(n): Promise<number[]>             n distinct free TCP ports (all held open while
 *                                               choosing, so they cannot collide with each other)
 *   freeUdpPort(host?): Promise<number>         one free UDP port on 127.0.0.1 (or host)
 *   freeUdpPortPair(host?): Promise<number>     an EVEN UDP port p with p+1 free as well: what an
 *                                               RTP receiver needs (ffmpeg binds RTCP on p+1)
 *   waitForTcp(port, {timeoutMs, host?}): Promise<void> resolves once 127.0.0.1:port (or
 *                                               host:port, e.g. Janus in its namespace) accepts
 *   defaultRecipientHost(): string              env TANDEM_PEERS_RECIPIENT_HOST (set by global setup) or 127.0.0.1
 *   isTcpListening(port): Promise<boolean>      reads /proc/net/tcp: is something LISTENing on
 *                                               127.0.0.1:port (or 0.0.0.0:port)? Never connects,
 *                                               so it is safe for single-accept servers such as
 *                                               `ffmpeg -listen 1`.
 *
 * The usual caveat of "bind 0, read the port, close" applies: another process could take the port
 * between our close and the peer's bind. On a test machine this is rare; peers that fail to bind
 * report it loudly (see proc.ts), and the start functions retry once on a new port where noted.
 */
import { createServer, connect, type Server } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';

export const LOOPBACK = '127.0.0.1';

/**
 * Where Janus' RTP forwards go by default: env TANDEM_PEERS_RECIPIENT_HOST (global-setup.ts sets it
 * to the root-side veth address of the shared Janus' namespace, and test workers inherit it), else
 * 127.0.0.1. Used by whipAdminClient().createEndpoint and startRtpReceiver() when given no host.
 */
export function defaultRecipientHost(): string {
  return process.env['TANDEM_PEERS_RECIPIENT_HOST'] || LOOPBACK;
}

function listenTcp(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port, host: LOOPBACK, exclusive: true }, () => resolve(srv));
  });
}

function closeTcp(srv: Server): Promise<void> {
  return new Promise((resolve) => srv.close(() => resolve()));
}

function portOf(srv: Server): number {
  const addr = srv.address();
  if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
  return addr.port;
}

/** One free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const [p] = await freePorts(1);
  if (p === undefined) throw new Error('freePorts(1) returned nothing');
  return p;
}

/** `n` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) servers.push(await listenTcp(0));
    return servers.map(portOf);
  } finally {
    await Promise.all(servers.map(closeTcp));
  }
}

function bindUdp(port: number, host = LOOPBACK): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4' });
    s.unref();
    s.once('error', (err) => {
      s.close();
      reject(err);
    });
    s.bind({ port, address: host, exclusive: true }, () => resolve(s));
  });
}

function closeUdp(s: UdpSocket): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

/** One free UDP port on 127.0.0.1 (or on `host`, an address of this machine). */
export async function freeUdpPort(host = LOOPBACK): Promise<number> {
  const s = await bindUdp(0, host);
  const port = s.address().port;
  await closeUdp(s);
  return port;
}

/** An even UDP port `p` on 127.0.0.1 (or `host`) such that `p + 1` is free too (RTP + RTCP). */
export async function freeUdpPortPair(host = LOOPBACK): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const probe = await freeUdpPort(host);
    const p = probe % 2 === 0 ? probe : probe - 1;
    if (p < 1024) continue;
    const held: UdpSocket[] = [];
    try {
      held.push(await bindUdp(p, host));
      held.push(await bindUdp(p + 1, host));
      return p;
    } catch {
      // taken: try another
    } finally {
      await Promise.all(held.map(closeUdp));
    }
  }
  throw new Error(`could not find a free even UDP port pair on ${host}`);
}

/**
 * Resolves once 127.0.0.1:port (or `opts.host`:port — only loopback or an address inside a test
 * namespace of ours, see netns.ts) accepts a TCP connection (the probe connection is closed at once).
 */
export async function waitForTcp(
  port: number,
  opts: { timeoutMs?: number; intervalMs?: number; isAlive?: () => boolean; host?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const host = opts.host ?? LOOPBACK;
  for (;;) {
    if (await tryConnect(port, host)) return;
    if (opts.isAlive && !opts.isAlive()) throw new Error(`process exited before ${host}:${port} accepted connections`);
    if (Date.now() > deadline) throw new Error(`${host}:${port} did not accept connections within ${opts.timeoutMs ?? 10_000} ms`);
    await sleep(opts.intervalMs ?? 50);
  }
}

function tryConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    const done = (ok: boolean): void => {
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Is a TCP socket in LISTEN state bound to 127.0.0.1:port or 0.0.0.0:port? Reads /proc/net/tcp
 * (Linux), so it never opens a connection to the server.
 */
export async function isTcpListening(port: number): Promise<boolean> {
  const text = await readFile('/proc/net/tcp', 'utf8');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const wanted = new Set([`0100007F:${hexPort}`, `00000000:${hexPort}`]);
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // cols: sl local_address rem_address st ...; st 0A = TCP_LISTEN
    if (cols[1] !== undefined && wanted.has(cols[1]) && cols[3] === '0A') return true;
  }
  return false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
