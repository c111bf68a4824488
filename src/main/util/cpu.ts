// CPU use of this process (and, on Linux, its ffmpeg children) between two samples, % of one core.
import { readFileSync } from 'node:fs';

function childrenCpuSec(): number {
  // /proc/self/stat fields 16 and 17: cutime and cstime of waited-for children, in clock ticks.
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

export class CpuMeter {
  private last = { wall: performance.now(), cpu: this.now() };
  private now(): number {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6 + childrenCpuSec();
  }
  /** % of one core since the previous sample. */
  sample(): number {
    const wall = performance.now();
    const cpu = this.now();
    const dt = (wall - this.last.wall) / 1000;
    const pct = dt > 0 ? ((cpu - this.last.cpu) / dt) * 100 : 0;
    this.last = { wall, cpu };
    return Math.max(0, Math.round(pct * 10) / 10);
  }
}
