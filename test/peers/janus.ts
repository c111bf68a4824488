/**
 * WHIP ingest: Janus (videoroom + websockets only) in a network namespace of its own, and Meetecho's
 * simple-whip-server in front of it on 127.0.0.1 (recipe: /work/shared/PEERS.md; install:
 * test/peers/install.sh; namespace: netns.ts).
 *
 *   startJanus(opts?: { timeoutMs?: number; iceEnforce?: string; netns?: Netns }): Promise<Janus>
 *     Runs Janus inside `opts.netns`, or inside a namespace of its own (created here, deleted by
 *     stop()).
 *     interface Janus {
 *       wsPort;                 // 8188, inside the namespace
 *       wsUrl;                  // ws://<ns-side veth address>:8188 (e.g. ws://10.213.3.2:8188)
 *       host: string;           // ns-side veth address: Janus' only ICE candidate address
 *       recipientHost: string;  // root-side veth address: where Janus can send RTP forwards
 *       netns: Netns;           // the namespace (netns.ts)
 *       dir; logTail(chars?); kill() (SIGKILL, a crash); stop()
 *     }
 *
 *   startWhipServer(opts?: { timeoutMs?: number }): Promise<WhipServer>
 *     Starts its OWN namespace + Janus, then simple-whip-server; stop() stops both and deletes
 *     the namespace. kill() SIGKILLs both (a server crash: every endpoint is lost); start() starts
 *     both again on the same port and in the same namespace (same recipientHost), after which
 *     endpoints must be created again.
 *     interface WhipServer {
 *       baseUrl: string;        // http://127.0.0.1:PORT/whip
 *       port: number;           // simple-whip-server's HTTP port
 *       janus: Janus;
 *       room: number;           // 4242: H.264 (42e01f) + Opus, 20 Mbit/s, 16 publishers
 *       recipientHost: string;  // = janus.recipientHost: default recipient.host of createEndpoint;
 *                               // an RTP receiver must bind it (startRtpReceiver({ host }))
 *       createEndpoint(o: { id: string; token?: string; room?: number;
 *                           recipient?: { host?: string; videoPort?: number; audioPort?: number; videoRtcpPort?: number } })
 *         : Promise<string>;    // the endpoint URL to publish to: `${baseUrl}/endpoint/${id}`
 *       endpointUrl(id): string;
 *       deleteEndpoint(id: string, token?: string): Promise<number>;  // 200, 404 if unknown, 403
 *       listEndpoints(): Promise<WhipEndpointInfo[]>;  // GET /whip/endpoints (enabled = publishing)
 *       logTail(chars?): string;                       // simple-whip-server's output
 *       stop(): Promise<void>;
 *     }
 *   whipAdminClient(baseUrl, opts?: { recipientHost?: string }): WhipAdminClient
 *       The same endpoint calls, from any process (e.g. a test worker using the global-setup
 *       server). recipientHost default: env TANDEM_PEERS_RECIPIENT_HOST (global-setup.ts sets it
 *       to the shared server's), else 127.0.0.1.
 *   sdpCandidateAddresses(sdp): string[]   // connection addresses of every a=candidate line
 *
 * What the server does (an early WHIP draft, not RFC 9725 — treat its answers as "a real server"):
 *   - POST endpoint with `Content-Type: application/sdp` EXACTLY (with parameters → 406) and
 *     `Authorization: Bearer TOKEN` if a token was set (wrong/missing → 403). 201 + `Location:
 *     /whip/resource/ID` (relative) + answer SDP. A second POST while publishing → 403.
 *     503 while Janus is unreachable.
 *   - PATCH resource (trickle, application/trickle-ice-sdpfrag), DELETE resource (stop: 200).
 *   - With `recipient`, Janus RTP-forwards the publisher to recipientHost:videoPort / audioPort
 *     with the NEGOTIATED payload types (read them from the answer: rtp-receiver.ts
 *     payloadTypesFromSdp).
 *
 * Network: Janus 1.1.2 (libnice) never gathers ICE candidates on loopback (it skips IFF_LOOPBACK
 * interfaces; `-E lo` silently means "every interface"), and test traffic may go only to loopback
 * or to our own namespaces. So Janus runs in a namespace (netns.ts) whose only interfaces are `lo`
 * and one veth end, with no default route, started with `-E <ns veth> -i <ns address>`: its one
 * ICE candidate is the ns-side veth address, and it can reach nothing but the root-side veth
 * address. Its websockets bind the ns-side address (ws_ip); simple-whip-server (root namespace,
 * 127.0.0.1) connects there. Publishers in the root namespace (Chromium, werift) offer all their
 * host candidates, but only the pair over the veth link can succeed. RTP forwards go to the
 * root-side veth address (recipientHost). Needs root: see netns.ts.
 * The HTTP transport is disabled by listing libjanus_http.so in the disabled transports (`http =
 * false` segfaults Janus 1.1.2). simple-whip-server calls `http.listen(port)` (all interfaces): it
 * is run with a `-r` preload that makes port-only listen() calls bind 127.0.0.1.
 *
 * Readiness: Janus = its websocket port accepts TCP; simple-whip-server = GET /whip/healthcheck is
 * 200 (it opens its HTTP port only after connecting to Janus).
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, waitForTcp, LOOPBACK, sleep, defaultRecipientHost } from './ports';
import { makeTempDir, PeerStartError, removeTempDir, spawnPeer, withStartupGuard, type PeerProcess } from './proc';
import { createNetns, type Netns } from './netns';

export const JANUS_BIN = process.env['TANDEM_PEERS_JANUS'] ?? 'janus';
export const JANUS_CONF_DIR = '/etc/janus';
export const WHIP_ROOM = 4242;
/** Janus' websocket port inside its namespace (the namespace is fresh: nothing else listens). */
export const JANUS_WS_PORT = 8188;

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const WHIP_SERVER_DIR = join(process.env['TANDEM_PEERS_CACHE'] ?? join(REPO_ROOT, '.cache/peers'), 'simple-whip-server');
const WHIP_SRC = join(WHIP_SERVER_DIR, 'usr/share/simple-whip-server/src');

export interface Janus {
  readonly wsPort: number;
  readonly wsUrl: string;
  /** ns-side veth address: Janus' websockets and its only ICE candidate. */
  readonly host: string;
  /** root-side veth address: where Janus can reach us (RTP forward recipient). */
  readonly recipientHost: string;
  readonly netns: Netns;
  readonly dir: string;
  logTail(chars?: number): string;
  /** SIGKILL now, as if Janus crashed (the namespace stays when it was given in opts.netns). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface WhipRecipient {
  /** default: the client's recipientHost (the root-side veth address of Janus' namespace) */
  host?: string;
  videoPort?: number;
  audioPort?: number;
  videoRtcpPort?: number;
}

export interface CreateEndpointOptions {
  id: string;
  token?: string;
  room?: number;
  recipient?: WhipRecipient;
}

export interface WhipEndpointInfo {
  id: string;
  room: number;
  enabled: boolean;
  [k: string]: unknown;
}

export interface WhipAdminClient {
  readonly baseUrl: string;
  /** recipient.host used when createEndpoint's recipient has none. */
  readonly recipientHost: string;
  createEndpoint(o: CreateEndpointOptions): Promise<string>;
  endpointUrl(id: string): string;
  /** DELETE /whip/endpoint/:id (also ends a running publish). Token: the one given at creation. */
  deleteEndpoint(id: string, token?: string): Promise<number>;
  listEndpoints(): Promise<WhipEndpointInfo[]>;
}

export interface WhipServer extends WhipAdminClient {
  readonly port: number;
  /** The running Janus (a new one after start()). */
  readonly janus: Janus;
  readonly room: number;
  logTail(chars?: number): string;
  /** SIGKILL simple-whip-server and Janus now, as if the server crashed; endpoints are lost. */
  kill(): Promise<void>;
  /** Start both again after kill(), on the same port and namespace (so the same recipientHost). */
  start(): Promise<void>;
  isRunning(): boolean;
  stop(): Promise<void>;
}

const H264_ROOM = `
room-${WHIP_ROOM}: {
  description = "WHIP H.264"
  publishers = 16
  bitrate = 20000000
  fir_freq = 10
  audiocodec = "opus"
  videocodec = "h264"
  h264_profile = "42e01f"
  record = false
}
`;

function soList(folder: string, keep: string): string {
  return readdirSync(folder)
    .filter((f) => /^libjanus_.*\.so$/.test(f) && f !== keep)
    .join(',');
}

function jcfgValue(text: string, key: string): string | undefined {
  return text.match(new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
}

function replaceSection(text: string, section: string, body: string): string {
  const re = new RegExp(`^${section}: \\{[\\s\\S]*?^\\}`, 'm');
  if (!re.test(text)) return `${text}\n${section}: {\n${body}\n}\n`;
  return text.replace(re, `${section}: {\n${body}\n}`);
}

/** Writes the Janus configuration for `wsPort` on `wsIp` into `dir` (a copy of /etc/janus, edited). */
export function writeJanusConfig(dir: string, wsPort: number, wsIp = LOOPBACK): void {
  cpSync(JANUS_CONF_DIR, dir, { recursive: true });
  const mainPath = join(dir, 'janus.jcfg');
  let main = readFileSync(mainPath, 'utf8');
  const pluginsFolder = jcfgValue(main, 'plugins_folder') ?? '/usr/lib/x86_64-linux-gnu/janus/plugins';
  const transportsFolder = jcfgValue(main, 'transports_folder') ?? '/usr/lib/x86_64-linux-gnu/janus/transports';
  const loggersFolder = jcfgValue(main, 'loggers_folder') ?? '/usr/lib/x86_64-linux-gnu/janus/loggers';
  main = main.replace(/^(\s*configs_folder\s*=\s*)"[^"]*"/m, `$1"${dir}"`);
  main = replaceSection(main, 'plugins', `\tdisable = "${soList(pluginsFolder, 'libjanus_videoroom.so')}"`);
  main = replaceSection(main, 'transports', `\tdisable = "${soList(transportsFolder, 'libjanus_websockets.so')}"`);
  if (existsSync(loggersFolder)) main = replaceSection(main, 'loggers', `\tdisable = "${soList(loggersFolder, '')}"`);
  main = replaceSection(main, 'events', '\tbroadcast = false');
  writeFileSync(mainPath, main);

  const wsPath = join(dir, 'janus.transport.websockets.jcfg');
  let ws = readFileSync(wsPath, 'utf8');
  ws = replaceSection(
    ws,
    'general',
    ['\tjson = "indented"', '\tws = true', `\tws_port = ${wsPort}`, `\tws_ip = "${wsIp}"`, '\twss = false'].join('\n'),
  );
  ws = replaceSection(ws, 'admin', '\tadmin_ws = false\n\tadmin_wss = false');
  writeFileSync(wsPath, ws);

  const vrPath = join(dir, 'janus.plugin.videoroom.jcfg');
  writeFileSync(vrPath, readFileSync(vrPath, 'utf8') + H264_ROOM);
}

/**
 * The `-E` (ICE enforce list) value for Janus: the ns-side veth interface of its namespace (Janus
 * 1.1.2 skips loopback interfaces, so `-E lo` would mean "every interface"). Override with
 * TANDEM_PEERS_JANUS_ICE (any -E value; it is still applied inside the namespace, where only `lo`
 * and the veth exist).
 */
export function janusIceEnforce(ns: Pick<Netns, 'nsIf'>): string {
  return process.env['TANDEM_PEERS_JANUS_ICE'] || ns.nsIf;
}

export async function startJanus(opts: { timeoutMs?: number; iceEnforce?: string; netns?: Netns } = {}): Promise<Janus> {
  const ownNs = opts.netns === undefined;
  const ns = opts.netns ?? (await createNetns());
  const wsPort = JANUS_WS_PORT;
  const dir = makeTempDir('janus');
  try {
    const confDir = join(dir, 'conf');
    writeJanusConfig(confDir, wsPort, ns.nsAddr);
    const args = ['-F', confDir, '-E', opts.iceEnforce ?? janusIceEnforce(ns), '-i', ns.nsAddr, '-o', '-d', '4'];
    const proc = ns.spawn('janus', JANUS_BIN, args, { cwd: dir, logFile: join(dir, 'janus.log') });
    await withStartupGuard(`janus (netns ${ns.name}, ws ${ns.nsAddr}:${wsPort}, ${dir})`, () => [proc], () =>
      waitForTcp(wsPort, { host: ns.nsAddr, timeoutMs: opts.timeoutMs ?? 20_000, isAlive: () => proc.isAlive() }),
    );
    return {
      wsPort,
      wsUrl: `ws://${ns.nsAddr}:${wsPort}`,
      host: ns.nsAddr,
      recipientHost: ns.hostAddr,
      netns: ns,
      dir,
      logTail: (chars = 4000) => proc.logTail(chars),
      kill: async () => {
        await proc.kill();
        removeTempDir(dir);
        if (ownNs) await ns.destroy();
      },
      stop: async () => {
        await proc.stop({ signal: 'SIGINT', timeoutMs: 5000 });
        removeTempDir(dir);
        if (ownNs) await ns.destroy();
      },
    };
  } catch (err) {
    removeTempDir(dir);
    if (ownNs) await ns.destroy();
    throw err;
  }
}

/** Connection addresses of every `a=candidate` line of an SDP (answer or offer). */
export function sdpCandidateAddresses(sdp: string): string[] {
  const out: string[] = [];
  for (const m of sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ/gm)) if (m[1] !== undefined) out.push(m[1]);
  return out;
}

/** CommonJS preload: port-only listen() calls bind 127.0.0.1 instead of every interface. */
const LOOPBACK_PRELOAD = `'use strict';
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if ((typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\\d+$/.test(args[0]))) && typeof args[1] !== 'string') {
    args.splice(1, 0, '${LOOPBACK}');
  }
  return listen.apply(this, args);
};
`;

function whipConfig(janusWsUrl: string, port: number): string {
  return `module.exports = {
  janus: { address: ${JSON.stringify(janusWsUrl)}, multistream: true },
  port: ${port},
  rest: '/whip',
  allowTrickle: true,
  strictETags: false,
  iceServers: []
};
`;
}

/**
 * Endpoint management over simple-whip-server's HTTP API. Usable from any process (e.g. a test
 * worker talking to the server started in global-setup.ts). Tokens given to createEndpoint are
 * remembered for deleteEndpoint.
 */
export function whipAdminClient(baseUrl: string, opts: { recipientHost?: string } = {}): WhipAdminClient {
  const recipientHost = opts.recipientHost || defaultRecipientHost();
  const tokens = new Map<string, string>();
  const auth = (id: string): Record<string, string> => {
    const t = tokens.get(id);
    return t === undefined ? {} : { Authorization: `Bearer ${t}` };
  };
  const endpointUrl = (id: string): string => `${baseUrl}/endpoint/${encodeURIComponent(id)}`;
  return {
    baseUrl,
    recipientHost,
    endpointUrl,
    async createEndpoint(o) {
      const body: Record<string, unknown> = { id: o.id, room: o.room ?? WHIP_ROOM };
      if (o.token !== undefined) body['token'] = o.token;
      if (o.recipient) body['recipient'] = { ...o.recipient, host: o.recipient.host ?? recipientHost };
      const res = await fetch(`${baseUrl}/create`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`simple-whip-server /create ${o.id}: HTTP ${res.status} ${await res.text()}`);
      if (o.token !== undefined) tokens.set(o.id, o.token);
      return endpointUrl(o.id);
    },
    async deleteEndpoint(id, token) {
      const headers = token === undefined ? auth(id) : { Authorization: `Bearer ${token}` };
      const res = await fetch(endpointUrl(id), { method: 'DELETE', headers });
      await res.arrayBuffer();
      if (res.status === 200) tokens.delete(id);
      return res.status;
    },
    async listEndpoints() {
      const res = await fetch(`${baseUrl}/endpoints`);
      if (!res.ok) throw new Error(`simple-whip-server /endpoints: HTTP ${res.status}`);
      return (await res.json()) as WhipEndpointInfo[];
    },
  };
}

export async function startWhipServer(opts: { timeoutMs?: number } = {}): Promise<WhipServer> {
  if (!existsSync(join(WHIP_SRC, 'server.js')) || !existsSync(join(WHIP_SERVER_DIR, 'node_modules/express'))) {
    throw new PeerStartError('simple-whip-server', `not installed in ${WHIP_SERVER_DIR}: run \`bash test/peers/install.sh\``, '');
  }
  const timeoutMs = opts.timeoutMs ?? 20_000;
  // The namespace is ours (not Janus'), so Janus can be killed and started again in it.
  const ns = await createNetns();
  let janus: Janus | undefined;
  let proc: PeerProcess | undefined;
  let dir: string | undefined;
  let stopped = false;
  try {
    janus = await startJanus({ timeoutMs, netns: ns });
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('no free port');
    const whipDir = makeTempDir('whip');
    dir = whipDir;
    const src = join(whipDir, 'src');
    mkdirSync(src);
    for (const f of ['server.js', 'whip-janus.js']) cpSync(join(WHIP_SRC, f), join(src, f));
    writeFileSync(join(src, 'config.js'), whipConfig(janus.wsUrl, port));
    writeFileSync(join(src, 'loopback-preload.cjs'), LOOPBACK_PRELOAD);
    const baseUrl = `http://${LOOPBACK}:${port}/whip`;

    const startWhip = async (): Promise<PeerProcess> => {
      const p = spawnPeer('simple-whip-server', process.execPath, ['-r', './loopback-preload.cjs', 'server.js'], {
        cwd: src,
        logFile: join(whipDir, 'whip.log'),
        env: {
          ...process.env,
          NODE_PATH: join(WHIP_SERVER_DIR, 'node_modules'),
          NODE_ENV: 'production',
          NODE_OPTIONS: '',
          DEBUG: 'whip:*,janus:*,-whip:debug,-janus:debug,-janus:vdebug',
          DEBUG_COLORS: '0',
          FORCE_COLOR: '0',
        },
      });
      proc = p;
      await withStartupGuard(`simple-whip-server (${baseUrl}, janus ${ns.nsAddr})`, () => [p], async () => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          if (!p.isAlive()) throw new Error('simple-whip-server exited');
          try {
            const res = await fetch(`${baseUrl}/healthcheck`);
            if (res.status === 200) return;
          } catch {
            // not listening yet
          }
          if (Date.now() > deadline) throw new Error(`${baseUrl}/healthcheck not 200 after ${timeoutMs} ms`);
          await sleep(100);
        }
      });
      return p;
    };
    await startWhip();

    const server: WhipServer = {
      ...whipAdminClient(baseUrl, { recipientHost: ns.hostAddr }),
      port,
      get janus(): Janus {
        if (!janus) throw new Error('simple-whip-server: Janus is not running (kill() without start())');
        return janus;
      },
      room: WHIP_ROOM,
      logTail: (chars = 4000) => proc?.logTail(chars) ?? '',
      kill: async () => {
        await Promise.all([proc?.kill(), janus?.kill()]);
        janus = undefined;
      },
      start: async () => {
        if (stopped) throw new Error('simple-whip-server: start() after stop()');
        if (!janus) janus = await startJanus({ timeoutMs, netns: ns });
        if (!proc?.isAlive()) await startWhip();
      },
      isRunning: () => (proc?.isAlive() ?? false) && janus !== undefined,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await proc?.stop({ timeoutMs: 3000 });
        await janus?.stop();
        removeTempDir(whipDir);
        await ns.destroy();
      },
    };
    return server;
  } catch (err) {
    await proc?.stop({ timeoutMs: 2000 });
    await janus?.stop();
    if (dir) removeTempDir(dir);
    await ns.destroy();
    throw err;
  }
}
