// `tandem publish` argument parsing: pure, returns a typed plan or a usage error.
import type { OutputSpec } from '../outputs/factory';
import { OUTPUT_DEFAULTS } from '../../shared/defaults';

export const PUBLISH_USAGE = `usage: tandem publish [--source testsrc|file:PATH|device:NAME] [--size 1280x720] [--fps 30]
                      [--video-bitrate 2500] [--audio-bitrate 128] [--keyint 2]
                      [--rtmp URL]... [--whip URL [--token T]]... [--record FILE]
                      [--duration SECONDS] [--stats FILE]

  --source          testsrc (moving pattern, frame counter, 1 kHz tone; default), file:PATH (looped,
                    real-time), device:NAME (Linux: /dev/video0 or :0.0 for the screen, #PULSE_SOURCE
                    for audio; macOS: avfoundation "V:A"; Windows: desktop or dshow "video=..:audio=..")
  --size, --fps     output video size and frame rate
  --video-bitrate   kbit/s (H.264, x264 veryfast, zerolatency, no B-frames)
  --audio-bitrate   kbit/s (AAC for RTMP/recording, Opus for WHIP)
  --keyint          seconds between keyframes (fixed GOP; also bounds how fast a PLI is served)
  --rtmp URL        publish to rtmp:// or rtmps:// (repeatable)
  --whip URL        publish to a WHIP endpoint (repeatable); --token T right after sets its bearer token
  --record FILE     record to .mkv (default), .mp4 (fragmented) or .flv
  --duration S      stop after S seconds; exit 0 only if every destination stayed live throughout
  --stats FILE      append one JSON line per destination per second
`;
export type SourceArg = { kind: 'testsrc' } | { kind: 'file'; path: string } | { kind: 'device'; name: string };

export interface PublishPlan {
  source: SourceArg;
  width: number;
  height: number;
  fps: number;
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  keyintSec: number;
  outputs: OutputSpec[];
  durationSec?: number;
  statsFile?: string;
  help: boolean;
}

export class UsageError extends Error {}

function num(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} must be a number between ${min} and ${max}, got '${v}'`);
  return n;
}

export function parseSource(v: string): SourceArg {
  if (v === 'testsrc') return { kind: 'testsrc' };
  if (v.startsWith('file:') && v.length > 5) return { kind: 'file', path: v.slice(5) };
  if (v.startsWith('device:') && v.length > 7) return { kind: 'device', name: v.slice(7) };
  throw new UsageError(`--source must be testsrc, file:PATH or device:NAME, got '${v}'`);
}

export function parsePublishArgs(argv: readonly string[]): PublishPlan {
  const plan: PublishPlan = {
    source: { kind: 'testsrc' },
    ...OUTPUT_DEFAULTS,
    outputs: [],
    help: false,
  };
  let records = 0;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    if (raw === '-h' || raw === '--help') {
      plan.help = true;
      continue;
    }
    if (!raw.startsWith('--')) throw new UsageError(`unexpected argument '${raw}'`);
    const eq = raw.indexOf('=');
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    let value: string;
    if (eq > 0) value = raw.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      value = next;
      i++;
    }
    switch (flag) {
      case '--source':
        plan.source = parseSource(value);
        break;
      case '--size': {
        const m = /^(\d+)x(\d+)$/.exec(value);
        if (!m) throw new UsageError(`--size must look like 1280x720, got '${value}'`);
        plan.width = num('--size width', m[1]!, 16, 7680);
        plan.height = num('--size height', m[2]!, 16, 4320);
        if (plan.width % 2 || plan.height % 2) throw new UsageError('--size needs even width and height (4:2:0)');
        break;
      }
      case '--fps':
        plan.fps = num(flag, value, 1, 240);
        break;
      case '--video-bitrate':
        plan.videoBitrateKbps = num(flag, value, 50, 200_000);
        break;
      case '--audio-bitrate':
        plan.audioBitrateKbps = num(flag, value, 16, 512);
        break;
      case '--keyint':
        plan.keyintSec = num(flag, value, 0.1, 20);
        break;
      case '--duration':
        plan.durationSec = num(flag, value, 0.1, 7 * 86_400);
        break;
      case '--stats':
        plan.statsFile = value;
        break;
      case '--rtmp':
        if (!/^rtmps?:\/\//i.test(value)) throw new UsageError('--rtmp needs an rtmp:// or rtmps:// URL');
        plan.outputs.push({ kind: 'rtmp', url: value, id: `rtmp${plan.outputs.filter((o) => o.kind === 'rtmp').length + 1}` });
        break;
      case '--whip':
        if (!/^https?:\/\//i.test(value)) throw new UsageError('--whip needs an http:// or https:// URL');
        plan.outputs.push({ kind: 'whip', url: value, id: `whip${plan.outputs.filter((o) => o.kind === 'whip').length + 1}` });
        break;
      case '--token': {
        const last = plan.outputs[plan.outputs.length - 1];
        if (!last || last.kind !== 'whip') throw new UsageError('--token must follow the --whip URL it belongs to');
        last.token = value;
        break;
      }
      case '--record':
        plan.outputs.push({ kind: 'record', path: value, id: records++ ? `record${records}` : 'record' });
        break;
      default:
        throw new UsageError(`unknown option '${flag}'`);
    }
  }
  return plan;
}
