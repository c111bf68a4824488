// CPU accounting from /proc (Linux only). USER_HZ is 100 on every Linux we run on.
import { readdirSync, readFileSync } from 'node:fs';

export const USER_HZ = 100;

/** Fields of /proc/PID/stat after "(comm)": index 0 = state (field 3). */
function statFields(path: string): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** user+sys seconds of one process (its threads included, its children not); undefined if gone. */
export function procCpuSec(pid: number): number | undefined {
  const f = statFields(`/proc/${pid}/stat`);
  if (!f) return undefined;
  return (Number(f[11]) + Number(f[12])) / USER_HZ; // utime = field 14, stime = field 15
}

/**
 * On-CPU seconds of every thread of one process at nanosecond resolution: the sum of the first
 * field (sum_exec_runtime, ns) of /proc/PID/task/TID/schedstat. Use it for short windows where
 * utime+stime's 10 ms ticks would be too coarse (a server that spends 40 ms on a push).
 * undefined if the process is gone.
 */
export function procRuntimeSec(pid: number): number | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // that thread exited meanwhile
    }
  }
  return ns / 1e9;
}

/** user+sys seconds of this process's children that have been waited for (cutime + cstime). */
export function reapedChildrenCpuSec(): number {
  const f = statFields('/proc/self/stat') ?? [];
  return (Number(f[13]) + Number(f[14])) / USER_HZ; // cutime = field 16, cstime = field 17
}

/** This process's own user+sys seconds (all threads), from process.cpuUsage (µs resolution). */
export function selfCpuSec(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** `root` and every live descendant (from the ppid field of /proc/PID/stat). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(`/proc/${name}/stat`);
    if (f) parent.set(Number(name), Number(f[1])); // ppid = field 4
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return parent.has(root) ? out : [];
}

/**
 * CPU seconds of whole process trees over a window. Per pid: utime+stime (never cutime, so a
 * reaped child is not counted twice). Trees are re-read every `everyMs`: processes born during the
 * window count from 0, processes that exit count up to their last sample (≤ everyMs stale).
 */
export class TreeCpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly owner = new Map<number, string>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly roots: Record<string, number>,
    private readonly everyMs = 500,
  ) {}

  start(): void {
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), this.everyMs);
  }

  sample(initial = false): void {
    for (const [name, root] of Object.entries(this.roots)) {
      for (const pid of processTree(root)) {
        const s = procCpuSec(pid);
        if (s === undefined) continue;
        if (!this.first.has(pid)) this.first.set(pid, initial ? s : 0);
        this.last.set(pid, s);
        this.owner.set(pid, name);
      }
    }
  }

  /** Takes a final sample and returns CPU seconds per root name, and how many pids each tree had. */
  stop(): Record<string, { cpuSec: number; pids: number }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample(false);
    const out: Record<string, { cpuSec: number; pids: number }> = {};
    for (const name of Object.keys(this.roots)) out[name] = { cpuSec: 0, pids: 0 };
    for (const [pid, last] of this.last) {
      const o = out[this.owner.get(pid) ?? ''];
      if (!o) continue;
      o.cpuSec += last - (this.first.get(pid) ?? 0);
      o.pids++;
    }
    return out;
  }
}
