/**
 * nginx with nginx-rtmp as an RTMP ingest server on loopback (recipe: /work/shared/PEERS.md).
 *
 *   startNginxRtmp(opts?: { denyPublish?: string[]; apps?: string[] }): Promise<NginxRtmp>
 *
 *   interface NginxRtmp {
 *     rtmpPort: number;               // RTMP on 127.0.0.1:rtmpPort
 *     httpPort: number;               // HTTP on 127.0.0.1:httpPort, GET /stat = rtmp_stat XML
 *     dir: string;                    // temp dir: nginx.conf, error.log
 *     url(app?: string, key?: string): string   // rtmp://127.0.0.1:PORT/app/key (app default 'live')
 *     stat(): Promise<string>;        // the /stat XML
 *     streamStat(app, key): Promise<StreamStat | undefined>  // a few parsed figures from /stat
 *     kill(): Promise<void>;          // SIGKILL now: connections reset, as if the server crashed
 *     start(): Promise<void>;         // start again on the SAME ports (after kill() or stop())
 *     restart(): Promise<void>;       // kill() + start()
 *     isRunning(): boolean;
 *     logTail(): string;              // last lines of error.log (level info)
 *     stop(): Promise<void>;          // final stop: kills nginx and removes `dir`; idempotent
 *   }
 *
 *   fetchNginxStat(httpPort): Promise<string>;                    // same, from any process
 *   fetchStreamStat(httpPort, app, key): Promise<StreamStat | undefined>;
 *   parseStreamStat(xml, app, key): StreamStat | undefined;
 *   StreamStat = { name, bytesIn, bwIn, publishing, video?: {codec, width, height, frameRate},
 *                  audio?: {codec, sampleRate, channels} }
 *
 * Applications: `live` (live on, record off), every name in `apps`, and every name in
 * `denyPublish`, which gets `deny publish all` (nginx-rtmp logs "access forbidden by rule" and
 * closes the connection right after `publish`).
 *
 * nginx runs with `daemon off; master_process off;`: ONE process, so kill() really kills the server
 * (with a master, SIGKILL would leave the worker holding the port). Ready = the RTMP and HTTP ports
 * accept TCP connections.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, waitForTcp, LOOPBACK, sleep } from './ports';
import { makeTempDir, removeTempDir, spawnPeer, withStartupGuard, type PeerProcess } from './proc';

export const NGINX_BIN = process.env['TANDEM_PEERS_NGINX'] ?? '/usr/sbin/nginx';
export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export interface NginxRtmpOptions {
  /** Extra applications whose publish is refused (`deny publish all`). */
  denyPublish?: string[];
  /** Extra plain live applications besides `live`. */
  apps?: string[];
  /** Startup timeout (default 10 s). */
  timeoutMs?: number;
}

export interface StreamStat {
  name: string;
  bytesIn: number;
  bwIn: number;
  publishing: boolean;
  video?: { codec: string; width: number; height: number; frameRate: number };
  audio?: { codec: string; sampleRate: number; channels: number };
}

export interface NginxRtmp {
  readonly rtmpPort: number;
  readonly httpPort: number;
  readonly dir: string;
  url(app?: string, key?: string): string;
  stat(): Promise<string>;
  streamStat(app: string, key: string): Promise<StreamStat | undefined>;
  kill(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  isRunning(): boolean;
  logTail(chars?: number): string;
  stop(): Promise<void>;
}

const APP_NAME = /^[A-Za-z0-9_-]+$/;

export interface NginxConfOptions {
  dir: string;
  /** Address the RTMP (and /stat) listeners bind: loopback, or an address inside a test namespace. */
  host?: string;
  rtmpPort: number;
  /** Port of the /stat HTTP server; omitted = no HTTP server. */
  httpPort?: number;
  apps?: readonly string[];
  deny?: readonly string[];
  errorLogLevel?: 'info' | 'warn';
}

/** nginx-rtmp's configuration for a test run (PEERS.md), shared by the harness and the benches. */
export function nginxConf(o: NginxConfOptions): string {
  const host = o.host ?? LOOPBACK;
  const appBlocks = [
    ...(o.apps ?? ['live']).map((a) => `    application ${a} { live on; record off; }`),
    ...(o.deny ?? []).map((a) => `    application ${a} { live on; record off; deny publish all; }`),
  ].join('\n');
  const http =
    o.httpPort === undefined
      ? ''
      : `http {
  access_log off;
  client_body_temp_path ${o.dir}/body;
  proxy_temp_path ${o.dir}/proxy;
  fastcgi_temp_path ${o.dir}/fcgi;
  uwsgi_temp_path ${o.dir}/uwsgi;
  scgi_temp_path ${o.dir}/scgi;
  server {
    listen ${host}:${o.httpPort};
    location /stat { rtmp_stat all; }
  }
}
`;
  return `load_module ${NGINX_RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid ${o.dir}/nginx.pid;
error_log ${o.dir}/error.log ${o.errorLogLevel ?? 'info'};
events { worker_connections 256; }
rtmp {
  server {
    listen ${host}:${o.rtmpPort};
    chunk_size 4096;
${appBlocks}
  }
}
${http}`;
}

export async function startNginxRtmp(opts: NginxRtmpOptions = {}): Promise<NginxRtmp> {
  const deny = opts.denyPublish ?? [];
  const apps = ['live', ...(opts.apps ?? []).filter((a) => a !== 'live')];
  for (const a of [...apps, ...deny]) if (!APP_NAME.test(a)) throw new Error(`nginx-rtmp: bad application name ${JSON.stringify(a)}`);
  const [rtmpPort, httpPort] = await freePorts(2);
  if (rtmpPort === undefined || httpPort === undefined) throw new Error('no free ports');
  const dir = makeTempDir('nginx');
  for (const d of ['body', 'proxy', 'fcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(dir, d));
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, nginxConf({ dir, rtmpPort, httpPort, apps, deny }));
  const errorLog = join(dir, 'error.log');
  const timeoutMs = opts.timeoutMs ?? 10_000;

  let proc: PeerProcess | undefined;
  let stopped = false;

  const readErrorLog = (chars = 4000): string => {
    try {
      return readFileSync(errorLog, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  };

  const start = async (): Promise<void> => {
    if (stopped) throw new Error('nginx-rtmp: start() after stop()');
    if (proc?.isAlive()) return;
    const p = spawnPeer('nginx-rtmp', NGINX_BIN, ['-c', confPath, '-p', dir, '-e', errorLog], { cwd: dir });
    proc = p;
    await withStartupGuard(
      `nginx-rtmp (rtmp ${rtmpPort}, http ${httpPort}, ${dir})`,
      () => [p],
      async () => {
        try {
          await waitForTcp(rtmpPort, { timeoutMs, isAlive: () => p.isAlive() });
          await waitForTcp(httpPort, { timeoutMs, isAlive: () => p.isAlive() });
        } catch (err) {
          // nginx writes its complaints to error.log, not to stderr
          throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- error.log ---\n${readErrorLog(2000)}`);
        }
      },
    );
  };

  const kill = async (): Promise<void> => {
    const p = proc;
    if (p) await p.kill();
  };

  await start();

  const stat = (): Promise<string> => fetchNginxStat(httpPort);

  return {
    rtmpPort,
    httpPort,
    dir,
    url: (app = 'live', key = 'test') => `rtmp://${LOOPBACK}:${rtmpPort}/${app}/${key}`,
    stat,
    streamStat: async (app, key) => parseStreamStat(await stat(), app, key),
    kill,
    start,
    restart: async () => {
      await kill();
      // the listening socket is gone with the process; a short pause lets the kernel settle
      await sleep(50);
      await start();
    },
    isRunning: () => proc?.isAlive() ?? false,
    logTail: (chars = 4000) => readErrorLog(chars),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (proc) await proc.stop({ signal: 'SIGQUIT', timeoutMs: 3000 });
      removeTempDir(dir);
    },
  };
}

/** GET http://127.0.0.1:httpPort/stat (usable from any process). */
export async function fetchNginxStat(httpPort: number): Promise<string> {
  const res = await fetch(`http://${LOOPBACK}:${httpPort}/stat`);
  if (!res.ok) throw new Error(`nginx-rtmp /stat: HTTP ${res.status}`);
  return res.text();
}

/** The parsed /stat entry of app/key, or undefined (usable from any process). */
export async function fetchStreamStat(httpPort: number, app: string, key: string): Promise<StreamStat | undefined> {
  return parseStreamStat(await fetchNginxStat(httpPort), app, key);
}

function tag(xml: string, name: string): string | undefined {
  const m = xml.match(new RegExp(`<${name}>([^<]*)</${name}>`));
  return m?.[1];
}

function num(xml: string, name: string): number {
  return Number(tag(xml, name) ?? 'NaN');
}

/** Extracts a stream's figures from nginx-rtmp's /stat XML (undefined when it is not there). */
export function parseStreamStat(xml: string, app: string, key: string): StreamStat | undefined {
  const apps = xml.split('<application>').slice(1);
  const appXml = apps.find((a) => tag(a, 'name') === app);
  if (!appXml) return undefined;
  const streams = appXml.split('<stream>').slice(1);
  const s = streams.find((x) => tag(x, 'name') === key);
  if (!s) return undefined;
  const meta = s.match(/<meta>([\s\S]*?)<\/meta>/)?.[1] ?? '';
  const v = meta.match(/<video>([\s\S]*?)<\/video>/)?.[1];
  const a = meta.match(/<audio>([\s\S]*?)<\/audio>/)?.[1];
  const out: StreamStat = {
    name: key,
    bytesIn: num(s, 'bytes_in'),
    bwIn: num(s, 'bw_in'),
    publishing: /<publishing\/>/.test(s),
  };
  if (v) out.video = { codec: tag(v, 'codec') ?? '', width: num(v, 'width'), height: num(v, 'height'), frameRate: num(v, 'frame_rate') };
  if (a) out.audio = { codec: tag(a, 'codec') ?? '', sampleRate: num(a, 'sample_rate'), channels: num(a, 'channels') };
  return out;
}
