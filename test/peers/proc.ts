/**
 * Child-process plumbing shared by every peer module.
 *
 *   spawnPeer(name, cmd, args, opts?): PeerProcess
 *       Starts a process with stdout/stderr captured (last 256 KiB kept in memory, everything also
 *       appended to `opts.logFile` when given). Every spawned process is registered and SIGKILLed
 *       when the Node process exits, so a crashed test run leaves no orphans behind.
 *   PeerProcess
 *       .pid, .name, .exited (Promise<{code, signal}>), .isAlive(), .exitInfo(), .logTail(chars?),
 *       .onLine(cb) (each stdout/stderr line; returns an unsubscribe function),
 *       .waitForLine(re, timeoutMs), .stop({signal?, timeoutMs?}) (signal, default SIGTERM; SIGKILL
 *       after timeoutMs, default 5000; idempotent; resolves when the process is gone),
 *       .kill() (SIGKILL now, resolves when gone).
 *   PeerStartError: thrown when a peer does not come up: `.peer` names it, `.logTail` holds the last
 *       lines it printed; the message contains both.
 *   withStartupGuard(peer, procs, fn): runs `fn`; on failure stops `procs` and throws PeerStartError.
 *   makeTempDir(prefix) / removeTempDir(dir): temp folders under os.tmpdir(), removed on exit too.
 *       Set TANDEM_PEERS_KEEP=1 to keep them (and their logs) for debugging.
 *   FFMPEG / FFPROBE: binaries used by the peers (env TANDEM_PEERS_FFMPEG / TANDEM_PEERS_FFPROBE
 *       override; default: `ffmpeg` / `ffprobe` on PATH, installed by install.sh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FFMPEG = process.env['TANDEM_PEERS_FFMPEG'] ?? 'ffmpeg';
export const FFPROBE = process.env['TANDEM_PEERS_FFPROBE'] ?? 'ffprobe';
export const KEEP_TEMP = process.env['TANDEM_PEERS_KEEP'] === '1';

const TAIL_LIMIT = 256 * 1024;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnPeerOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Append everything the process prints to this file. */
  logFile?: string;
  /** 'pipe' to write to the process (e.g. `q` to ffmpeg); default 'ignore'. */
  stdin?: 'pipe' | 'ignore';
}

export interface PeerProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  isAlive(): boolean;
  /** How it ended, once it has (undefined while running). */
  exitInfo(): ExitInfo | undefined;
  logTail(chars?: number): string;
  onLine(cb: (line: string) => void): () => void;
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(opts?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ExitInfo>;
  kill(): Promise<ExitInfo>;
}

export class PeerStartError extends Error {
  constructor(
    readonly peer: string,
    reason: string,
    readonly logTail: string,
  ) {
    super(`[peers] ${peer} failed to start: ${reason}\n--- last output of ${peer} ---\n${logTail || '(no output)'}\n---`);
    this.name = 'PeerStartError';
  }
}

const live = new Set<PeerProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (!KEEP_TEMP) for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });
}

export function spawnPeer(name: string, cmd: string, args: readonly string[], opts: SpawnPeerOptions = {}): PeerProcess {
  installExitHook();
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let alive = true;
  let exitInfo: ExitInfo | undefined;
  const listeners = new Set<(line: string) => void>();
  const partial: Record<'out' | 'err', string> = { out: '', err: '' };

  const feed = (which: 'out' | 'err', chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    tail += text;
    if (tail.length > TAIL_LIMIT) tail = tail.slice(tail.length - TAIL_LIMIT / 2);
    if (opts.logFile) {
      try {
        appendFileSync(opts.logFile, text);
      } catch {
        // log dir removed: ignore
      }
    }
    if (listeners.size === 0) {
      partial[which] = '';
      return;
    }
    // ffmpeg ends progress lines with \r: treat it as a line break too
    const parts = (partial[which] + text).split(/\r\n|\n|\r/);
    partial[which] = parts.pop() ?? '';
    for (const line of parts) for (const cb of listeners) cb(line);
  };
  child.stdout?.on('data', (c: Buffer) => feed('out', c));
  child.stderr?.on('data', (c: Buffer) => feed('err', c));

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      tail += `\n[spawn error] ${err.message}\n`;
      alive = false;
      exitInfo = { code: null, signal: null };
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      alive = false;
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  let stopping: Promise<ExitInfo> | undefined;
  const peer: PeerProcess = {
    name,
    pid: child.pid ?? -1,
    child,
    exited,
    isAlive: () => alive,
    exitInfo: () => exitInfo,
    logTail: (chars = 4000) => tail.slice(-chars),
    onLine(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    waitForLine(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const m0 = tail.match(re);
        if (m0) return resolve(m0);
        const timer = setTimeout(() => {
          off();
          reject(new Error(`${name}: no output matching ${re} within ${timeoutMs} ms`));
        }, timeoutMs);
        const off = peer.onLine((line) => {
          const m = line.match(re);
          if (m) {
            clearTimeout(timer);
            off();
            resolve(m);
          }
        });
        void exited.then(() => {
          clearTimeout(timer);
          off();
          const m = tail.match(re);
          if (m) resolve(m);
          else reject(new Error(`${name}: exited before printing ${re}`));
        });
      });
    },
    stop(o = {}) {
      if (stopping) return stopping;
      if (!alive) return exited;
      stopping = (async () => {
        try {
          child.kill(o.signal ?? 'SIGTERM');
        } catch {
          // gone
        }
        const timer = setTimeout(() => {
          try {
            child.kill('SIGKILL');
          } catch {
            // gone
          }
        }, o.timeoutMs ?? 5000);
        const info = await exited;
        clearTimeout(timer);
        return info;
      })();
      return stopping;
    },
    kill() {
      if (alive) child.kill('SIGKILL');
      return exited;
    },
  };
  if (child.pid !== undefined) {
    live.add(peer);
    void exited.then(() => live.delete(peer));
  }
  return peer;
}

/** Runs `fn`; if it throws, stops `procs` and rethrows as a PeerStartError with their output. */
export async function withStartupGuard<T>(peer: string, procs: () => PeerProcess[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const ps = procs();
    const tails = ps.map((p) => (ps.length > 1 ? `[${p.name}]\n` : '') + p.logTail(3000)).join('\n');
    const exits = ps
      .map((p) => [p.name, p.exitInfo()] as const)
      .filter((e): e is readonly [string, ExitInfo] => e[1] !== undefined)
      .map(([name, e]) => `${name} exited with ${e.signal ? `signal ${e.signal}` : `code ${e.code}`}`);
    await Promise.all(ps.map((p) => p.stop({ timeoutMs: 2000 })));
    if (err instanceof PeerStartError) throw err;
    const reason = (err instanceof Error ? err.message : String(err)) + (exits.length ? ` (${exits.join('; ')})` : '');
    throw new PeerStartError(peer, reason, tails);
  }
}

/** A fresh folder under os.tmpdir(); removed at process exit unless TANDEM_PEERS_KEEP=1. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tandem-${prefix}-`));
  tempDirs.add(dir);
  installExitHook();
  return dir;
}

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  if (!KEEP_TEMP) rmSync(dir, { recursive: true, force: true });
}

/** Number of peer processes started by this Node process that are still running. */
export function livePeerCount(): number {
  return live.size;
}
