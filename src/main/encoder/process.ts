// The ONLY child_process import in the project (docs/ARCHITECTURE.md habit 2; eslint.config.mjs enforces it).
// Everything that runs ffmpeg, ffprobe, Electron or another tool goes through here.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** One entry per fd from 0: 'pipe' keeps a stream to it in the parent, 'ignore' leaves it closed, 'inherit' shares ours. */
  stdio: readonly ('pipe' | 'ignore' | 'inherit')[];
  /**
   * Put the child in its own process group (POSIX), so a terminal's Ctrl-C reaches only us and we
   * stop children in order. Orphans still end: their pipes to us close when we die.
   */
  detached?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Keep at most this many stderr lines for error messages. */
  stderrLines?: number;
}

/** A running child with its pipes. close() is idempotent and kills the child if it still runs. */
export class ChildProc {
  readonly pid: number | undefined;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly stderrTail: string[] = [];
  private partialLine = '';
  private exitInfo: ExitInfo | undefined;
  private spawnError: Error | undefined;

  constructor(command: string, args: readonly string[], opts: SpawnOptions) {
    const child = spawn(command, [...args], {
      stdio: [...opts.stdio],
      detached: (opts.detached ?? false) && process.platform !== 'win32',
      env: opts.env ?? process.env,
      windowsHide: true,
    });
    this.child = child;
    this.pid = child.pid;
    const max = opts.stderrLines ?? 40;
    const onStderr = (chunk: Buffer): void => {
      const text = this.partialLine + chunk.toString('utf8');
      const lines = text.split(/\r?\n/);
      this.partialLine = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) this.stderrTail.push(l);
      while (this.stderrTail.length > max) this.stderrTail.shift();
    };
    child.stderr?.on('data', onStderr);
    // Pipe errors (EPIPE when the child dies) surface through exited/write callbacks, never as
    // unhandled 'error' events.
    for (const s of child.stdio) s?.on('error', () => undefined);
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('error', (err) => {
        this.spawnError = err;
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
      child.once('close', (code, signal) => {
        if (this.partialLine.trim()) this.stderrTail.push(this.partialLine);
        this.partialLine = '';
        child.stderr?.off('data', onStderr);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The spawn failure (ENOENT, EACCES), if the child never started. */
  get error(): Error | undefined {
    return this.spawnError;
  }

  /** The last stderr lines (for error messages). */
  get stderr(): string {
    return this.stderrTail.join('\n');
  }

  readable(fd: number): Readable | null {
    const s = this.child.stdio[fd];
    return s && 'read' in s ? (s as Readable) : null;
  }

  writable(fd: number): Writable | null {
    const s = this.child.stdio[fd];
    return s && 'write' in s ? (s as Writable) : null;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** Ask politely (SIGINT: ffmpeg finishes its files), then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<ExitInfo> {
    if (this.running) {
      this.signal('SIGINT');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }

  /** Kill now. Idempotent. */
  close(): void {
    this.signal('SIGKILL');
    for (const s of this.child.stdio) s?.destroy();
  }
}

export interface CaptureResult extends ExitInfo {
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Run a command to completion and capture its output (killed after `timeoutMs`). */
export function runCapture(command: string, args: readonly string[], timeoutMs = 10_000, env?: NodeJS.ProcessEnv): Promise<CaptureResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, env: env ?? process.env });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      if (stdout.length < 4_000_000) stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 1_000_000) stderr += c.toString('utf8');
    });
    const done = (r: CaptureResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    child.once('error', (error) => done({ code: null, signal: null, stdout, stderr, error }));
    child.once('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}
