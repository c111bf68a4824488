// Receivers behind a capped link, for bench/compare and the integration tests: a namespace of ours
// (test/peers/netns.ts) joined by a veth pair, with `tc qdisc replace dev <root-side veth> root tbf rate <B>mbit burst 32kbit latency 400ms`,
// i.e. the root → namespace direction (the publisher's sending direction) is capped at B. The
// reverse direction (RTP forwards, the RTMP player's download) is not shaped.
//   NsNginx: nginx-rtmp inside its own namespace, listening on the ns-side address.
//   The Janus namespace (startWhipServer) is shaped the same way through its `netns.hostIf`.
// R for a cell = Δ bytes the tbf qdisc sent (tc -s -j qdisc) ÷ the cell's measuring time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns, type Netns } from './netns';
import { NGINX_BIN, nginxConf } from './nginx';
import { waitForTcp } from './ports';
import { makeTempDir, removeTempDir, withStartupGuard, type PeerProcess } from './proc';

export interface QdiscCounters {
  bytes: number;
  packets: number;
  drops: number;
  overlimits: number;
  backlog: number;
}

function tc(args: string[]): string {
  return execFileSync('tc', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Cap dev's egress at `mbit` (tbf), or remove the cap (mbit undefined). */
export function setCap(dev: string, mbit: number | undefined): void {
  if (mbit === undefined) {
    try {
      tc(['qdisc', 'del', 'dev', dev, 'root']);
    } catch {
      // no root qdisc: already uncapped
    }
    return;
  }
  tc(['qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', '32kbit', 'latency', '400ms']);
}

export function qdiscCounters(dev: string): QdiscCounters {
  const j = JSON.parse(tc(['-s', '-j', 'qdisc', 'show', 'dev', dev])) as Record<string, unknown>[];
  const q = j.find((x) => x['root'] === true) ?? j[0] ?? {};
  const n = (k: string): number => Number(q[k] ?? 0);
  return { bytes: n('bytes'), packets: n('packets'), drops: n('drops'), overlimits: n('overlimits'), backlog: n('backlog') };
}

export interface NsNginx {
  netns: Netns;
  host: string;
  port: number;
  url(key: string): string;
  stop(): Promise<void>;
}

export async function startNsNginx(): Promise<NsNginx> {
  const netns = await createNetns();
  const dir = makeTempDir('bench-nginx');
  let proc: PeerProcess | undefined;
  try {
    for (const d of ['body', 'proxy', 'fcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(dir, d));
    const port = 1935;
    const conf = nginxConf({ dir, host: netns.nsAddr, rtmpPort: port, errorLogLevel: 'warn' });
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const p = netns.spawn('nginx-rtmp (bench ns)', NGINX_BIN, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')], { cwd: dir });
    proc = p;
    await withStartupGuard('nginx-rtmp in bench namespace', () => [p], () => waitForTcp(port, { host: netns.nsAddr, timeoutMs: 10_000, isAlive: () => p.isAlive() }));
    return {
      netns,
      host: netns.nsAddr,
      port,
      url: (key) => `rtmp://${netns.nsAddr}:${port}/live/${key}`,
      stop: async () => {
        await p.stop({ timeoutMs: 2000 }).catch(() => undefined);
        await netns.destroy();
        removeTempDir(dir);
      },
    };
  } catch (e) {
    await proc?.stop({ timeoutMs: 1000 }).catch(() => undefined);
    await netns.destroy();
    removeTempDir(dir);
    throw e;
  }
}
