// Reading a recorded file's packet timestamps with ffprobe (no decode): what a player would use to
// schedule the pictures, so a hole in them is a hole the viewer sees.
import { runCapture } from '../../src/main/encoder/process';
import { FFPROBE } from '../peers/proc';

/** Presentation times (s) of every packet of `stream` ('v:0', 'a:0'), in file order. */
export async function packetTimes(file: string, stream = 'v:0'): Promise<number[]> {
  const r = await runCapture(FFPROBE, ['-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], 60_000);
  if (r.code !== 0) throw new Error(`ffprobe ${file}: ${r.stderr.slice(-500)}`);
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim().replace(/,$/, '')))
    .filter((t) => Number.isFinite(t));
}

/** The largest step between consecutive timestamps (in pts order), s; where (s) and after which of them (index). */
export function largestGap(times: readonly number[]): { gapSec: number; atSec: number; index: number } {
  const t = [...times].sort((a, b) => a - b);
  let gapSec = 0;
  let atSec = 0;
  let index = 0;
  for (let i = 1; i < t.length; i++) {
    const g = t[i]! - t[i - 1]!;
    if (g > gapSec) {
      gapSec = g;
      atSec = t[i - 1]!;
      index = i - 1;
    }
  }
  return { gapSec, atSec, index };
}
