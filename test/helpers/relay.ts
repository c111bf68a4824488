// Impairment relays of our own (tc netem is not available here): a TCP relay for RTMP and a UDP
// relay for WHIP, both listening on 127.0.0.1 and forwarding to a target we own (127.0.0.1 or an
// address inside a namespace the bench created).
//
//   TCP: each accepted connection is piped to the target; every chunk read in either direction is
//   delivered `rttMs / 2` later. A TCP relay cannot lose bytes (it terminates TCP: the kernel on
//   each side retransmits for real, at loopback speed). `lossRate` therefore applies a MODEL of
//   loss as the receiver would see it on a lossy path: every 1448-byte segment is "lost" with that
//   probability, and a loss stalls the byte stream (head-of-line blocking) for one extra RTT — a
//   fast retransmit — before it and everything after it are delivered; further losses within that
//   recovery round are repaired in the same round (SACK). Congestion-window reductions and RTOs
//   are not modelled. An outage pauses both directions (no reads, nothing delivered);
//   queued bytes are delivered after it, in order.
//   UDP: NAT style. Datagrams from a client source S (werift) to the public port go out of a
//   socket of their own, U_S, to the target; what comes back to U_S goes to S. Each datagram is
//   dropped with probability `lossRate` (or `lossUp` / `lossDown` for one direction; give a seeded
//   `random`, test/helpers/prng.ts, for the same pattern every run), or by `filter(dir, datagram)`
//   returning false, and otherwise delivered `rttMs / 2` later. An outage drops everything. The
//   target may be set late (a receiver's candidate is known only from its answer). Its sockets
//   get a 4 MiB receive buffer (net.core.rmem_max here): the relay shares its event loop with the
//   publisher, and with the default 208 KiB a busy moment lost more datagrams in the kernel (Udp
//   RcvbufErrors) than the impairment dropped — loss nobody asked for, in bursts.
// Every timer is cleared and every socket closed by close().
// Used by the impairment bench (bench/compare/) and by the fault tests (test/e2e/faults-*.test.ts),
// which call blackhole(ms): forwarding stops in both directions while every socket stays open, as
// when a path silently loses everything; `counters.connections` counts accepted TCP connections
// (or distinct UDP client sources), i.e. connection attempts.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';

export interface Impairment {
  rttMs: number;
  /** Drop probability per datagram or segment, both directions. */
  lossRate: number;
  /** UDP: drop probability towards the target only / back from it only (instead of lossRate). */
  lossUp?: number;
  lossDown?: number;
}

/** UDP datagrams per direction: up = client → target. */
export interface UdpCounts {
  up: number;
  upDropped: number;
  down: number;
  downDropped: number;
  /** Datagrams towards the target the kernel had no room for (dropped, as a full router queue would). */
  upOverflow: number;
}

const UDP_RECV_BUFFER = 4 << 20;
/**
 * Send buffer of the sockets towards the target. Behind a capped namespace link (shaped.ts: tbf,
 * 400 ms of queue) the default 208 KiB filled before tbf's queue did (each queued datagram is
 * charged at its kernel size, more than its length), sendmsg said EAGAIN, and libuv kept every datagram
 * after that in a queue of its own in this process: 2.8 MB, 7 s at 3 Mbit/s, that tbf never saw
 * and never dropped from (the WHIP no-transport-cc run: RTT 7.8 s, fraction lost 0, and the session
 * went to reconnecting when ICE's checks waited behind the media). With 4 MiB the namespace's qdisc is the
 * only queue on the path, and what it cannot hold it drops.
 */
const UDP_SEND_BUFFER = 4 << 20;

export interface RelayCounters {
  /** Bytes (TCP) or datagrams (UDP) forwarded / dropped, client → target direction. */
  forwarded: number;
  dropped: number;
  /** TCP model: simulated segment losses (each stalls the stream one RTT). */
  stalls: number;
  connections: number;
}

const SEGMENT = 1448;

abstract class RelayBase {
  imp: Impairment;
  protected outageUntil = 0;
  readonly counters: RelayCounters = { forwarded: 0, dropped: 0, stalls: 0, connections: 0 };
  protected readonly timers = new Set<NodeJS.Timeout>();
  protected closed = false;

  constructor(imp: Impairment, protected readonly random: () => number = Math.random) {
    this.imp = { ...imp };
  }

  /** Stop forwarding for `ms` from now. */
  outage(ms: number): void {
    this.outageUntil = performance.now() + ms;
    this.onOutage(ms);
  }

  /** The fault tests' name for an outage: nothing is forwarded for `ms`, no socket is closed. */
  blackhole(ms: number): void {
    this.outage(ms);
  }

  protected inOutage(): boolean {
    return performance.now() < this.outageUntil;
  }

  protected later(ms: number, fn: () => void): void {
    if (this.closed) return;
    if (ms <= 0) return void fn();
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  protected abstract onOutage(ms: number): void;
}

/** One direction of a TCP pipe: ordered (one FIFO, one timer), delayed, with modelled stalls. */
class TcpLane {
  private releaseAt = 0; // delivery time of the newest queued chunk (keeps order under stalls)
  private recoveringUntil = 0; // losses inside one recovery round are repaired together (SACK)
  private readonly fifo: { at: number; b: Buffer }[] = [];
  private armed = false;

  constructor(
    private readonly relay: TcpRelay,
    from: Socket,
    private readonly to: Socket,
    private readonly upstream: boolean,
  ) {
    from.on('data', (b: Buffer) => this.onData(b));
  }

  private onData(b: Buffer): void {
    const now = performance.now();
    const { rttMs, lossRate } = this.relay.imp;
    let stall = 0;
    if (lossRate > 0) {
      const segments = Math.ceil(b.length / SEGMENT);
      let lost = false;
      for (let i = 0; i < segments; i++) if (this.relay.rand() < lossRate) lost = true;
      if (lost && now >= this.recoveringUntil) {
        stall = rttMs > 0 ? rttMs : 200;
        this.recoveringUntil = now + stall;
        this.relay.counters.stalls++;
      }
    }
    const at = Math.max(now + rttMs / 2, this.releaseAt) + stall;
    this.releaseAt = at;
    if (this.upstream) this.relay.counters.forwarded += b.length;
    this.fifo.push({ at, b });
    this.arm();
  }

  private arm(): void {
    if (this.armed || this.fifo.length === 0) return;
    this.armed = true;
    this.relay.schedule(Math.max(0, this.fifo[0]!.at - performance.now()), () => {
      this.armed = false;
      const now = performance.now();
      while (this.fifo.length && this.fifo[0]!.at <= now + 0.5) {
        const c = this.fifo.shift()!;
        if (!this.to.destroyed) this.to.write(c.b);
      }
      this.arm();
    });
  }
}

export class TcpRelay extends RelayBase {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }, imp: Impairment, random?: () => number) {
    super(imp, random);
  }

  rand(): number {
    return this.random();
  }

  schedule(ms: number, fn: () => void): void {
    this.later(ms, fn);
  }

  async listen(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const a = server.address();
    this.port = a && typeof a === 'object' ? a.port : 0;
    return this.port;
  }

  private accept(client: Socket): void {
    if (this.closed) return void client.destroy();
    this.counters.connections++;
    const up = connect({ host: this.target.host, port: this.target.port });
    client.setNoDelay(true);
    up.setNoDelay(true);
    for (const s of [client, up]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        up.destroy();
      });
    }
    new TcpLane(this, client, up, true);
    new TcpLane(this, up, client, false);
    if (this.inOutage()) this.onOutage(this.outageUntil - performance.now());
  }

  protected onOutage(ms: number): void {
    for (const s of this.sockets) s.pause();
    this.later(ms, () => {
      for (const s of this.sockets) s.resume();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const srv = this.server;
    this.server = undefined;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }
}

export class UdpRelay extends RelayBase {
  private pub: UdpSocket | undefined;
  private readonly upstream = new Map<string, UdpSocket>();
  port = 0;
  readonly counts: UdpCounts = { up: 0, upDropped: 0, down: 0, downDropped: 0, upOverflow: 0 };
  filter: ((dir: 'up' | 'down', datagram: Buffer) => boolean) | undefined;

  /** `bindHost`: the address upstream sockets bind (what the target may reach). */
  constructor(private target: { host: string; port: number } | undefined, imp: Impairment, private readonly bindHost = '127.0.0.1', random?: () => number) {
    super(imp, random);
  }

  setTarget(t: { host: string; port: number }): void {
    this.target = t;
  }

  async listen(): Promise<number> {
    const s = createSocket({ type: 'udp4', recvBufferSize: UDP_RECV_BUFFER });
    this.pub = s;
    s.on('error', () => undefined);
    s.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    this.port = s.address().port;
    return this.port;
  }

  private pass(dir: 'up' | 'down', msg: Buffer): boolean {
    if (this.inOutage()) return false;
    const p = (dir === 'up' ? this.imp.lossUp : this.imp.lossDown) ?? this.imp.lossRate;
    if (p > 0 && this.random() < p) return false;
    return this.filter ? this.filter(dir, msg) : true;
  }

  private fromClient(msg: Buffer, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let u = this.upstream.get(key);
    if (!u) {
      this.counters.connections++;
      const sock = createSocket({ type: 'udp4', recvBufferSize: UDP_RECV_BUFFER, sendBufferSize: UDP_SEND_BUFFER });
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
    if (!target || !this.pass('up', msg)) {
      this.counters.dropped++;
      this.counts.upDropped++;
      return;
    }
    this.counters.forwarded++;
    this.counts.up++;
    this.later(this.imp.rttMs / 2, () => {
      // Never a queue of our own: a datagram the kernel cannot take now is lost (see UDP_SEND_BUFFER).
      if (u.getSendQueueCount() > 0) return void this.counts.upOverflow++;
      u.send(msg, target.port, target.host);
    });
  }

  protected onOutage(): void {
    // pass() checks the outage window per datagram
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
