// Machine description and result writing (docs/benchmarks/NAME.md + NAME.json).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  node: string;
  loadAvg1mBefore: string;
  loadAvg1mAfter?: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? '?';
}

/** Call at the start of a benchmark; `finish()` adds the load average at the end. */
export function machineInfo(): MachineInfo & { finish(): MachineInfo } {
  const info: MachineInfo = { date: new Date().toISOString(), cpu: cpuModel(), cores: cpus().length, node: process.version, loadAvg1mBefore: load1() };
  return { ...info, finish: () => ({ ...info, loadAvg1mAfter: load1() }) };
}

export const load1 = (): string => loadavg()[0]!.toFixed(2);

export function machineLine(m: MachineInfo): string {
  return `${m.date}, ${m.cpu}, ${m.cores} cores (nproc), Node ${m.node}, 1-min load average ${m.loadAvg1mBefore} at start${m.loadAvg1mAfter ? `, ${m.loadAvg1mAfter} at end` : ''}`;
}

/** A Markdown table. */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export const RESULTS_DIR = join(__dirname, '../../docs/benchmarks');

/** Writes docs/benchmarks/NAME.json (raw figures) and NAME.md (method + tables). */
export function writeResults(name: string, json: unknown, md: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, `${name}.md`), md.endsWith('\n') ? md : `${md}\n`);
}
