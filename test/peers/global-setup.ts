/**
 * vitest globalSetup for the `integration` and `e2e` projects (vitest.config.mts).
 *
 * Starts, once per project run, ONE nginx-rtmp and ONE Janus + simple-whip-server, provides their
 * addresses to the tests, and stops them (and every process they spawned) on teardown. Startup
 * failures throw a PeerStartError naming the peer with the tail of its output.
 *
 * In a test:
 *   import { inject } from 'vitest';
 *   const rtmpUrl = inject('nginxRtmpUrl');          // rtmp://127.0.0.1:PORT/live  (+ '/KEY')
 *   // or, typed helpers: import { sharedPeers } from '../peers/shared';
 *
 * Provided keys (ProvidedContext, declared below):
 *   nginxRtmpPort: number      RTMP on 127.0.0.1
 *   nginxHttpPort: number      HTTP on 127.0.0.1 (GET /stat)
 *   nginxRtmpUrl: string       rtmp://127.0.0.1:PORT/live
 *   nginxDenyApp: string       application on the same server that refuses publishing ('closed')
 *   whipBaseUrl: string        http://127.0.0.1:PORT/whip  (POST /create, /endpoint/:id, ...)
 *   whipRoom: number           4242 (H.264 + Opus videoroom)
 *   janusWsUrl: string         ws://<ns-side veth address>:8188 (Janus runs in a network namespace
 *                              of its own, netns.ts: e.g. ws://10.213.3.2:8188)
 *   whipRecipientHost: string  root-side veth address of that namespace: the default recipient.host
 *                              of createEndpoint, and the address startRtpReceiver() binds. Also
 *                              exported to the test workers as env TANDEM_PEERS_RECIPIENT_HOST.
 *   janusNetns: string         the namespace's name (`ip netns list`), e.g. tandem-1234-1
 *
 * Tests that kill or restart a server start a private one with the modules (startNginxRtmp, ...):
 * the shared peers must stay up for the whole run.
 *
 * Set TANDEM_PEERS_SKIP_WHIP=1 to skip Janus + simple-whip-server (whipBaseUrl is then ''). Janus
 * needs root (network namespaces): without it setup fails with 'network namespaces unavailable'.
 * Teardown deletes the namespace and its veth pair.
 */
import type { TestProject } from 'vitest/node';
import { startNginxRtmp, type NginxRtmp } from './nginx';
import { startWhipServer, WHIP_ROOM, type WhipServer } from './janus';
import { livePeerCount } from './proc';
import { liveNetnsNames } from './netns';

declare module 'vitest' {
  export interface ProvidedContext {
    nginxRtmpPort: number;
    nginxHttpPort: number;
    nginxRtmpUrl: string;
    nginxDenyApp: string;
    whipBaseUrl: string;
    whipRoom: number;
    janusWsUrl: string;
    whipRecipientHost: string;
    janusNetns: string;
  }
}

const DENY_APP = 'closed';

interface SharedPeers {
  nginx: NginxRtmp;
  whip: WhipServer | undefined;
  users: number;
}

// vitest runs this setup once per project (integration, e2e) and loads a fresh copy of this
// module for each, but in one process: the peers live on globalThis so every project shares
// one nginx and one Janus (two Janus would also fight over TANDEM_PEERS_RECIPIENT_HOST).
const slot = globalThis as typeof globalThis & { __tandemPeers?: Promise<SharedPeers> };

async function startShared(): Promise<SharedPeers> {
  const skipWhip = process.env['TANDEM_PEERS_SKIP_WHIP'] === '1';
  const results = await Promise.allSettled([
    startNginxRtmp({ denyPublish: [DENY_APP] }),
    skipWhip ? Promise.resolve(undefined) : startWhipServer(),
  ]);
  const [nginxR, whipR] = results;
  const nginx: NginxRtmp | undefined = nginxR.status === 'fulfilled' ? nginxR.value : undefined;
  const whip: WhipServer | undefined = whipR.status === 'fulfilled' ? whipR.value : undefined;
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0 || !nginx) {
    await stopPeers(nginx, whip);
    const msg = failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n\n');
    throw new Error(`[peers] global setup failed (run \`bash test/peers/install.sh\` if a peer is missing):\n${msg || 'nginx-rtmp missing after startup'}`);
  }
  // test workers are started after global setup and inherit this: startRtpReceiver() binds it
  if (whip) process.env['TANDEM_PEERS_RECIPIENT_HOST'] = whip.recipientHost;
  return { nginx, whip, users: 0 };
}

async function stopPeers(nginx: NginxRtmp | undefined, whip: WhipServer | undefined): Promise<void> {
  await Promise.allSettled([nginx?.stop(), whip?.stop()]);
  const left = livePeerCount();
  if (left > 0) console.warn(`[peers] ${left} peer process(es) still running after teardown`);
  const ns = liveNetnsNames();
  if (ns.length > 0) console.warn(`[peers] network namespace(s) left after teardown: ${ns.join(', ')}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  slot.__tandemPeers ??= startShared();
  let peers: SharedPeers;
  try {
    peers = await slot.__tandemPeers;
  } catch (err) {
    delete slot.__tandemPeers;
    throw err;
  }
  peers.users++;
  const { nginx, whip } = peers;
  const teardown = async (): Promise<void> => {
    peers.users--;
    if (peers.users > 0) return;
    delete slot.__tandemPeers;
    await stopPeers(nginx, whip);
  };

  project.provide('nginxRtmpPort', nginx.rtmpPort);
  project.provide('nginxHttpPort', nginx.httpPort);
  project.provide('nginxRtmpUrl', `rtmp://127.0.0.1:${nginx.rtmpPort}/live`);
  project.provide('nginxDenyApp', DENY_APP);
  project.provide('whipBaseUrl', whip?.baseUrl ?? '');
  project.provide('whipRoom', WHIP_ROOM);
  project.provide('janusWsUrl', whip?.janus.wsUrl ?? '');
  project.provide('whipRecipientHost', whip?.recipientHost ?? '');
  project.provide('janusNetns', whip?.janus.netns.name ?? '');
  if (process.env['TANDEM_PEERS_VERBOSE'] === '1') {
    console.log(
      `[peers] ${project.name}: nginx-rtmp ${nginx.rtmpPort}/${nginx.httpPort}` +
        (whip ? `, whip ${whip.baseUrl}, janus ${whip.janus.wsUrl} (netns ${whip.janus.netns.name}, recipient ${whip.recipientHost})` : '') +
        ` (${Date.now() - t0} ms)`,
    );
  }
  return teardown;
}
