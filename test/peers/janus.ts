/**
 * WHIP ingest on loopback: Janus (videoroom + websockets only) and Meetecho's simple-whip-server
 * in front of it (recipe: /work/shared/PEERS.md; install: test/peers/install.sh).
 *
 *   startJanus(opts?: { timeoutMs?: number; iceEnforce?: string }): Promise<Janus>
 *     interface Janus { wsPort; wsUrl (ws://127.0.0.1:PORT); dir; logTail(chars?); stop() }
 *
 *   startWhipServer(opts?: { timeoutMs?: number }): Promise<WhipServer>
 *     Starts its OWN Janus, then simple-whip-server; stop() stops both.
 *     interface WhipServer {
 *       baseUrl: string;        // http://127.0.0.1:PORT/whip
 *       port: number;           // simple-whip-server's HTTP port
 *       janus: Janus;
 *       room: number;           // 4242: H.264 (42e01f) + Opus, 20 Mbit/s, 16 publishers
 *       createEndpoint(o: { id: string; token?: string; room?: number;
 *                           recipient?: { videoPort?: number; audioPort?: number; videoRtcpPort?: number } })
 *         : Promise<string>;    // the endpoint URL to publish to: `${baseUrl}/endpoint/${id}`
 *       endpointUrl(id): string;
 *       deleteEndpoint(id: string, token?: string): Promise<number>;  // 200, 404 if unknown, 403
 *       listEndpoints(): Promise<WhipEndpointInfo[]>;  // GET /whip/endpoints (enabled = publishing)
 *       logTail(chars?): string;                       // simple-whip-server's output
 *       stop(): Promise<void>;
 *     }
 *   whipAdminClient(baseUrl): WhipAdminClient   // the same endpoint calls, from any process (e.g. a
 *                                               // test worker using the global-setup server)
 *
 * What the server does (an early WHIP draft, not RFC 9725 — treat its answers as "a real server"):
 *   - POST endpoint with `Content-Type: application/sdp` EXACTLY (with parameters → 406) and
 *     `Authorization: Bearer TOKEN` if a token was set (wrong/missing → 403). 201 + `Location:
 *     /whip/resource/ID` (relative) + answer SDP. A second POST while publishing → 403.
 *     503 while Janus is unreachable.
 *   - PATCH resource (trickle, application/trickle-ice-sdpfrag), DELETE resource (stop: 200).
 *   - With `recipient`, Janus RTP-forwards the publisher to 127.0.0.1:videoPort / audioPort with the
 *     NEGOTIATED payload types (read them from the answer: rtp-receiver.ts payloadTypesFromSdp).
 *
 * Loopback: Janus' websockets bind 127.0.0.1 (ws_ip). ICE CANNOT be loopback-only with Janus 1.1.2
 * (see janusIceEnforce): it gathers one host candidate on this machine's own IPv4 address, which
 * the kernel delivers locally; nothing leaves the machine. The HTTP transport is disabled by listing libjanus_http.so in the disabled transports (`http = false`
 * segfaults Janus 1.1.2). simple-whip-server calls `http.listen(port)` (all interfaces): it is run
 * with a `-r` preload that makes port-only listen() calls bind 127.0.0.1.
 *
 * Readiness: Janus = its websocket port accepts TCP; simple-whip-server = GET /whip/healthcheck is
 * 200 (it opens its HTTP port only after connecting to Janus).
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, waitForTcp, LOOPBACK, sleep } from './ports';
import { makeTempDir, PeerStartError, removeTempDir, spawnPeer, withStartupGuard, type PeerProcess } from './proc';

export const JANUS_BIN = process.env['TANDEM_PEERS_JANUS'] ?? 'janus';
export const JANUS_CONF_DIR = '/etc/janus';
export const WHIP_ROOM = 4242;

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const WHIP_SERVER_DIR = join(process.env['TANDEM_PEERS_CACHE'] ?? join(REPO_ROOT, '.cache/peers'), 'simple-whip-server');
const WHIP_SRC = join(WHIP_SERVER_DIR, 'usr/share/simple-whip-server/src');

export interface Janus {
  readonly wsPort: number;
  readonly wsUrl: string;
  readonly dir: string;
  logTail(chars?: number): string;
  stop(): Promise<void>;
}

export interface WhipRecipient {
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
  createEndpoint(o: CreateEndpointOptions): Promise<string>;
  endpointUrl(id: string): string;
  /** DELETE /whip/endpoint/:id (also ends a running publish). Token: the one given at creation. */
  deleteEndpoint(id: string, token?: string): Promise<number>;
  listEndpoints(): Promise<WhipEndpointInfo[]>;
}

export interface WhipServer extends WhipAdminClient {
  readonly port: number;
  readonly janus: Janus;
  readonly room: number;
  logTail(chars?: number): string;
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

/** Writes the Janus configuration for `wsPort` into `dir` (a copy of /etc/janus, edited). */
export function writeJanusConfig(dir: string, wsPort: number): void {
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
    ['\tjson = "indented"', '\tws = true', `\tws_port = ${wsPort}`, `\tws_ip = "${LOOPBACK}"`, '\twss = false'].join('\n'),
  );
  ws = replaceSection(ws, 'admin', '\tadmin_ws = false\n\tadmin_wss = false');
  writeFileSync(wsPath, ws);

  const vrPath = join(dir, 'janus.plugin.videoroom.jcfg');
  writeFileSync(vrPath, readFileSync(vrPath, 'utf8') + H264_ROOM);
}

/**
 * The `-E` (ICE enforce list) value for Janus. Janus 1.1.2 never gathers on loopback: it skips
 * IFF_LOOPBACK interfaces, so `-E lo` adds no address and libnice falls back to EVERY interface
 * (IPv4, IPv6 ULA and link-local alike). We enforce the machine's first non-internal IPv4 address
 * instead: one host candidate, on this machine's own address, so the media still never leaves the
 * host (the kernel delivers packets to a local address itself). Override with
 * TANDEM_PEERS_JANUS_ICE (any -E value).
 */
export function janusIceEnforce(): string {
  const env = process.env['TANDEM_PEERS_JANUS_ICE'];
  if (env) return env;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return 'lo';
}

export async function startJanus(opts: { timeoutMs?: number; iceEnforce?: string } = {}): Promise<Janus> {
  const [wsPort] = await freePorts(1);
  if (wsPort === undefined) throw new Error('no free port');
  const dir = makeTempDir('janus');
  const confDir = join(dir, 'conf');
  writeJanusConfig(confDir, wsPort);
  const proc = spawnPeer('janus', JANUS_BIN, ['-F', confDir, '-E', opts.iceEnforce ?? janusIceEnforce(), '-o', '-d', '4'], {
    cwd: dir,
    logFile: join(dir, 'janus.log'),
  });
  await withStartupGuard(`janus (ws ${LOOPBACK}:${wsPort}, ${dir})`, () => [proc], () =>
    waitForTcp(wsPort, { timeoutMs: opts.timeoutMs ?? 20_000, isAlive: () => proc.isAlive() }),
  );
  return {
    wsPort,
    wsUrl: `ws://${LOOPBACK}:${wsPort}`,
    dir,
    logTail: (chars = 4000) => proc.logTail(chars),
    stop: async () => {
      await proc.stop({ signal: 'SIGINT', timeoutMs: 5000 });
      removeTempDir(dir);
    },
  };
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
export function whipAdminClient(baseUrl: string): WhipAdminClient {
  const tokens = new Map<string, string>();
  const auth = (id: string): Record<string, string> => {
    const t = tokens.get(id);
    return t === undefined ? {} : { Authorization: `Bearer ${t}` };
  };
  const endpointUrl = (id: string): string => `${baseUrl}/endpoint/${encodeURIComponent(id)}`;
  return {
    baseUrl,
    endpointUrl,
    async createEndpoint(o) {
      const body: Record<string, unknown> = { id: o.id, room: o.room ?? WHIP_ROOM };
      if (o.token !== undefined) body['token'] = o.token;
      if (o.recipient) body['recipient'] = { host: LOOPBACK, ...o.recipient };
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
  const janus = await startJanus({ timeoutMs });
  let proc: PeerProcess | undefined;
  let dir: string | undefined;
  try {
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('no free port');
    dir = makeTempDir('whip');
    const src = join(dir, 'src');
    mkdirSync(src);
    for (const f of ['server.js', 'whip-janus.js']) cpSync(join(WHIP_SRC, f), join(src, f));
    writeFileSync(join(src, 'config.js'), whipConfig(janus.wsUrl, port));
    writeFileSync(join(src, 'loopback-preload.cjs'), LOOPBACK_PRELOAD);
    const p = spawnPeer('simple-whip-server', process.execPath, ['-r', './loopback-preload.cjs', 'server.js'], {
      cwd: src,
      logFile: join(dir, 'whip.log'),
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
    const baseUrl = `http://${LOOPBACK}:${port}/whip`;
    await withStartupGuard(`simple-whip-server (${baseUrl}, janus ${janus.wsUrl})`, () => [p], async () => {
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

    const whipDir = dir;
    return {
      ...whipAdminClient(baseUrl),
      port,
      janus,
      room: WHIP_ROOM,
      logTail: (chars = 4000) => p.logTail(chars),
      stop: async () => {
        await p.stop({ timeoutMs: 3000 });
        await janus.stop();
        removeTempDir(whipDir);
      },
    };
  } catch (err) {
    await proc?.stop({ timeoutMs: 2000 });
    await janus.stop();
    if (dir) removeTempDir(dir);
    throw err;
  }
}
