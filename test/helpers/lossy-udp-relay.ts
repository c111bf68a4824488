// A UDP relay of the test's own between our WHIP publisher and a receiver: NAT style (datagrams
// from a client source S to the public port leave from a socket of their own, U_S, towards the
// target; what comes back to U_S goes to S), with per-direction impairment:
//   - loss: each datagram dropped with probability `lossRate`, from a seeded PRNG (mulberry32), so
//     a test sees the same loss pattern on every run for the same traffic;
//   - delay: `rttMs / 2` each way (one timer per datagram; order kept);
//   - `filter(dir, datagram)`: return false to drop one (e.g. only RTCP, or only media).
// Its sockets get a 4 MiB receive buffer (net.core.rmem_max here): the relay shares its event loop
// with the publisher, and with the default 208 KiB a busy moment lost more datagrams in the kernel
// (Udp RcvbufErrors) than the impairment dropped — loss nobody asked for, in bursts.
// The target can be set late (the receiver's candidate is known only from its answer). close()
// clears every timer and socket.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { prng as seededRandom } from './prng';

const RECV_BUFFER = 4 << 20;

export interface Impairment {
  rttMs: number;
  /** Drop probability per datagram, both directions (overridden per direction below). */
  lossRate: number;
  /** Drop probability towards the target only / back from it only. */
  lossUp?: number;
  lossDown?: number;
}

export interface RelayCounts {
  up: number;
  upDropped: number;
  down: number;
  downDropped: number;
}


export class LossyUdpRelay {
  imp: Impairment;
  readonly counts: RelayCounts = { up: 0, upDropped: 0, down: 0, downDropped: 0 };
  filter: ((dir: 'up' | 'down', datagram: Buffer) => boolean) | undefined;
  port = 0;
  private pub: Socket | undefined;
  private readonly upstream = new Map<string, Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly random: () => number;
  private closed = false;

  /** `bindHost`: the address the upstream sockets bind (one the target can answer to). */
  constructor(
    private target: { host: string; port: number } | undefined,
    imp: Impairment,
    private readonly bindHost = '127.0.0.1',
    seed = 1,
  ) {
    this.imp = { ...imp };
    this.random = seededRandom(seed);
  }

  setTarget(t: { host: string; port: number }): void {
    this.target = t;
  }

  async listen(): Promise<number> {
    const s = createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER });
    this.pub = s;
    s.on('error', () => undefined);
    s.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    this.port = s.address().port;
    return this.port;
  }

  private pass(dir: 'up' | 'down', msg: Buffer): boolean {
    const p = (dir === 'up' ? this.imp.lossUp : this.imp.lossDown) ?? this.imp.lossRate;
    if (p > 0 && this.random() < p) return false;
    return this.filter ? this.filter(dir, msg) : true;
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    if (ms <= 0) return void fn();
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  private fromClient(msg: Buffer, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let u = this.upstream.get(key);
    if (!u) {
      const sock = createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER });
      u = sock;
      this.upstream.set(key, sock);
      sock.on('error', () => undefined);
      sock.on('message', (back) => {
        if (!this.pass('down', back)) return void this.counts.downDropped++;
        this.counts.down++;
        this.later(this.imp.rttMs / 2, () => this.pub?.send(back, rinfo.port, rinfo.address));
      });
      sock.bind(0, this.bindHost);
    }
    const target = this.target;
    if (!target || !this.pass('up', msg)) return void this.counts.upDropped++;
    this.counts.up++;
    const sock = u;
    this.later(this.imp.rttMs / 2, () => sock.send(msg, target.port, target.host));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const u of this.upstream.values()) u.close();
    this.upstream.clear();
    const p = this.pub;
    this.pub = undefined;
    if (p) await new Promise<void>((r) => p.close(() => r()));
  }
}
