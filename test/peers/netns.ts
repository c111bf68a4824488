/**
 * A private network namespace for a test peer, joined to this (root) namespace by a veth pair.
 *
 * Why: Janus 1.1.2 (libnice) never gathers ICE candidates on loopback, and test traffic may only go
 * to 127.0.0.0/8 or to addresses of our own test hosts inside namespaces the test run creates
 * itself. So Janus runs inside a namespace of ours: its only interfaces are `lo` and one end of a
 * veth pair; the other end stays here. Every packet to or from it crosses that one link.
 *
 *   createNetns(opts?: { onLinkDefaultRoute?: boolean }): Promise<Netns>
 *     interface Netns {
 *       name: string;        // `tandem-<pid>-<k>` (ip netns list)
 *       hostIf: string;      // root-side veth, `tdm<pid>h<k>`
 *       nsIf: string;        // ns-side veth, `tdm<pid>n<k>` (the ns' only interface besides lo)
 *       hostAddr: string;    // root-side address, 10.213.X.Y+1 (/30): what peers in the ns reach us at
 *       nsAddr: string;      // ns-side address, 10.213.X.Y+2 (/30): where servers in the ns listen
 *       prefixLen: 30;
 *       exec(cmd, args): string;                 // run inside the ns, wait, return stdout (throws on failure)
 *       spawn(name, cmd, args, opts?): PeerProcess   // spawnPeer(), inside the ns (`ip netns exec`)
 *       destroy(): Promise<void>;                // delete veth + ns; idempotent; also at process exit
 *     }
 *   nsExec(ns, cmd, args): string              // = ns.exec
 *   liveNetnsNames(): string[]                 // namespaces this process created and has not destroyed
 *
 * Layout: one /30 per namespace, taken from 10.213.0.0/16 (env TANDEM_PEERS_NETNS_NET = 'A.B' picks
 * another /16), starting at a block derived from the pid and skipping blocks already on an
 * interface, so parallel runs don't collide. IPv6 is disabled on both veth ends and inside the ns
 * (no link-local addresses, no router solicitations). The ns has NO default route, and the link is
 * fenced at the neighbour level (see fenceLink: no ARP from the ns, one static neighbour = hostAddr;
 * the root side answers ARP only for hostAddr): whatever runs in it can reach only its own
 * addresses and `hostAddr`, never eth0's address or anything beyond — even sockets with
 * IP_UNICAST_IF (libnice does that), for which the kernel assumes unrouted destinations on-link.
 *
 * onLinkDefaultRoute (for Chromium, chromium.ts launchChromiumInNetns): adds `default dev nsIf` (on-link,
 * no gateway). Chromium without network-enumeration permission (no getUserMedia grant) gathers host
 * candidates only on its "default local address", found by connect()ing a UDP socket to a public
 * address, which fails with no default route: no candidate at all. With the on-link route it is
 * nsAddr. It opens no path: an on-link destination other than hostAddr needs neighbour resolution,
 * which the fence turns off, so such packets are dropped inside the ns (nothing is forwarded by
 * the root side either: hostAddr is not a gateway).
 *
 * Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN for `ip netns add`) and iproute2 (install.sh installs
 * it). Without them createNetns() throws PeerStartError('netns', 'network namespaces unavailable:
 * need root (CAP_NET_ADMIN) ...').
 *
 * Cleanup: destroy() deletes the root-side veth (which deletes both ends) and the namespace. At
 * process exit every namespace still alive is deleted too. On creation, namespaces (and veths)
 * named after a pid that no longer exists — left behind by a killed run — are deleted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PeerStartError, spawnPeer, type PeerProcess, type SpawnPeerOptions } from './proc';
import { sleep } from './ports';

export const IP_BIN = 'ip';
const NET = process.env['TANDEM_PEERS_NETNS_NET'] ?? '10.213';
const BLOCKS = 16384; // /30 blocks in a /16

export interface Netns {
  readonly name: string;
  readonly hostIf: string;
  readonly nsIf: string;
  readonly hostAddr: string;
  readonly nsAddr: string;
  readonly prefixLen: 30;
  exec(cmd: string, args: readonly string[]): string;
  spawn(name: string, cmd: string, args: readonly string[], opts?: SpawnPeerOptions): PeerProcess;
  destroy(): Promise<void>;
}

const live = new Map<string, { hostIf: string }>();
let counter = 0;
let exitHookInstalled = false;

function ip(args: readonly string[]): string {
  return execFileSync(IP_BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function ipQuiet(args: readonly string[]): boolean {
  return spawnSync(IP_BIN, args, { stdio: 'ignore' }).status === 0;
}

function errText(err: unknown): string {
  if (err && typeof err === 'object' && 'stderr' in err) {
    const s = String((err as { stderr: unknown }).stderr ?? '').trim();
    if (s) return s;
  }
  return err instanceof Error ? err.message : String(err);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [name, { hostIf }] of live) {
      ipQuiet(['link', 'del', hostIf]);
      ipQuiet(['netns', 'del', name]);
    }
    live.clear();
  });
}

function pidAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Deletes namespaces and veths named after a pid that is gone (a run that was killed). */
function removeStale(): void {
  let names: string[] = [];
  try {
    names = ip(['netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '');
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^tandem-(\d+)-\d+$/.exec(n);
    if (m && !pidAlive(Number(m[1]))) ipQuiet(['netns', 'del', n]);
  }
  try {
    for (const line of ip(['-o', 'link', 'show', 'type', 'veth']).split('\n')) {
      const m = /^\d+: (tdm(\d+)h\d+)[@:]/.exec(line);
      if (m?.[1] && !pidAlive(Number(m[2]))) ipQuiet(['link', 'del', m[1]]);
    }
  } catch {
    // no veths
  }
}

/** /30 blocks already used by an IPv4 address on some interface here. */
function usedBlocks(): Set<number> {
  const used = new Set<number>();
  const out = ip(['-o', '-4', 'addr', 'show']);
  const prefix = `${NET}.`;
  for (const m of out.matchAll(/inet (\d+\.\d+\.\d+\.\d+)/g)) {
    const a = m[1] ?? '';
    if (!a.startsWith(prefix)) continue;
    const [c, d] = a.slice(prefix.length).split('.').map(Number);
    if (c !== undefined && d !== undefined) used.add(c * 64 + Math.floor(d / 4));
  }
  return used;
}

function blockAddrs(block: number): { hostAddr: string; nsAddr: string } {
  const c = Math.floor(block / 64);
  const d = (block % 64) * 4;
  return { hostAddr: `${NET}.${c}.${d + 1}`, nsAddr: `${NET}.${c}.${d + 2}` };
}

/**
 * Keeps the namespace from reaching any address but `hostAddr`, even for sockets that name an
 * output interface. libnice (Janus) sets IP_UNICAST_IF on its sockets, and with an output interface
 * the kernel treats a destination it has no route for as ON-LINK: without this, Janus' STUN replies
 * to a publisher's other host candidates (e.g. eth0's 192.0.2.2) would be ARPed for on the veth,
 * answered by the root namespace (which owns that address) and delivered. So:
 *   - inside the ns: no ARP/neighbour solicitation at all on the veth (mcast/ucast/app_solicit = 0),
 *     and one permanent neighbour entry, hostAddr → the root-side veth's MAC. A packet to any other
 *     address fails neighbour resolution and is dropped inside the ns: no frame leaves it.
 *   - root side: arp_ignore = 1 (answer ARP only for addresses on this veth, i.e. hostAddr) and
 *     arp_announce = 2 (ask with hostAddr as source): a second fence, and no eth0 address on the link.
 */
function fenceLink(name: string, hostIf: string, nsIf: string, hostAddr: string): void {
  writeFileSync(`/proc/sys/net/ipv4/conf/${hostIf}/arp_ignore`, '1');
  writeFileSync(`/proc/sys/net/ipv4/conf/${hostIf}/arp_announce`, '2');
  const mac = readFileSync(`/sys/class/net/${hostIf}/address`, 'utf8').trim();
  const neigh = ['mcast_solicit', 'ucast_solicit', 'app_solicit'].map((k) => `echo 0 > /proc/sys/net/ipv4/neigh/${nsIf}/${k}`);
  ip(['netns', 'exec', name, 'sh', '-c', neigh.join('; ')]);
  ip(['netns', 'exec', name, IP_BIN, 'neigh', 'replace', hostAddr, 'lladdr', mac, 'dev', nsIf, 'nud', 'permanent']);
}

/** Names of the namespaces this process created and has not destroyed yet. */
export function liveNetnsNames(): string[] {
  return [...live.keys()];
}

export function nsExec(ns: Netns, cmd: string, args: readonly string[]): string {
  return ns.exec(cmd, args);
}

export interface CreateNetnsOptions {
  /** `ip route add default dev nsIf` inside the ns (see the header); default false. */
  onLinkDefaultRoute?: boolean;
}

export async function createNetns(opts: CreateNetnsOptions = {}): Promise<Netns> {
  // Each vitest project loads its own copy of this module, so a module counter alone collides
  // (both projects' global setups asked for tandem-<pid>-1). Take the first index free on the
  // system; the check and `ip netns add` below run synchronously, so nothing interleaves.
  let k = counter + 1;
  while (existsSync(`/run/netns/tandem-${process.pid}-${k}`) || existsSync(`/sys/class/net/tdm${process.pid}h${k}`)) k++;
  counter = k;
  const name = `tandem-${process.pid}-${k}`;
  const hostIf = `tdm${process.pid}h${k}`;
  const nsIf = `tdm${process.pid}n${k}`;
  if (hostIf.length > 15) throw new Error(`interface name too long: ${hostIf}`);

  removeStale();
  try {
    ip(['netns', 'add', name]);
  } catch (err) {
    throw new PeerStartError(
      'netns',
      `network namespaces unavailable: need root (CAP_NET_ADMIN) and iproute2 to run \`ip netns add ${name}\` (${errText(err)})`,
      '',
    );
  }
  installExitHook();
  live.set(name, { hostIf });

  const destroy = async (): Promise<void> => {
    if (!live.has(name)) return;
    live.delete(name);
    ipQuiet(['link', 'del', hostIf]);
    ipQuiet(['netns', 'del', name]);
    // veth deletion is synchronous for `ip link del`; wait briefly in case the ns still held it
    for (let i = 0; i < 40 && existsSync(`/sys/class/net/${hostIf}`); i++) await sleep(25);
  };

  try {
    const used = usedBlocks();
    let block = (process.pid * 4 + k) % BLOCKS;
    for (let i = 0; used.has(block) || block === 0; i++) {
      if (i >= BLOCKS) throw new Error(`no free /30 in ${NET}.0.0/16`);
      block = (block + 1) % BLOCKS;
    }
    const { hostAddr, nsAddr } = blockAddrs(block);
    const inNs = (args: readonly string[]): string => ip(['netns', 'exec', name, ...args]);

    ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    // no IPv6 on the link (no link-local addresses, no RS/DAD/MLD), before it comes up
    try {
      writeFileSync(`/proc/sys/net/ipv6/conf/${hostIf}/disable_ipv6`, '1');
    } catch {
      // IPv6 disabled in this kernel: nothing to do
    }
    ip(['link', 'set', nsIf, 'netns', name]);
    // (/proc/sys/net shows the namespace of the process reading it: write it from inside)
    const v6 = ['all', 'default', nsIf].map((c) => `/proc/sys/net/ipv6/conf/${c}/disable_ipv6`);
    inNs(['sh', '-c', v6.map((f) => `[ ! -e ${f} ] || echo 1 > ${f}`).join('; ')]);
    ip(['addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
    ip(['link', 'set', hostIf, 'up']);
    inNs([IP_BIN, 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
    inNs([IP_BIN, 'link', 'set', 'lo', 'up']);
    inNs([IP_BIN, 'link', 'set', nsIf, 'up']);
    fenceLink(name, hostIf, nsIf, hostAddr);
    if (opts.onLinkDefaultRoute) inNs([IP_BIN, 'route', 'add', 'default', 'dev', nsIf]);

    const ns: Netns = {
      name,
      hostIf,
      nsIf,
      hostAddr,
      nsAddr,
      prefixLen: 30,
      exec: (cmd, args) => inNs([cmd, ...args]),
      spawn: (peerName, cmd, args, opts) => spawnPeer(peerName, IP_BIN, ['netns', 'exec', name, cmd, ...args], opts),
      destroy,
    };
    return ns;
  } catch (err) {
    await destroy();
    if (err instanceof PeerStartError) throw err;
    throw new PeerStartError('netns', `setting up ${name} failed: ${errText(err)}`, '');
  }
}
