// `tandem doctor`: the ffmpeg in use (and why), its version, and which H.264/audio encoders it has.
import { DOCTOR_ENCODERS, listEncoders, listFilters, resolveFfmpeg } from '../encoder/ffmpeg-path';

export async function runDoctor(args: string[]): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write('usage: tandem doctor\n  show the ffmpeg in use, its version and the encoders it offers\n');
    return 0;
  }
  let info;
  try {
    info = await resolveFfmpeg();
  } catch (e) {
    process.stderr.write(`tandem doctor: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const from = info.source === 'env' ? '$TANDEM_FFMPEG' : info.source === 'ffmpeg-static' ? 'ffmpeg-static' : 'PATH';
  const [encoders, filters] = await Promise.all([listEncoders(info.path), listFilters(info.path)]);
  const lines = [`ffmpeg:   ${info.path} (from ${from})`, `version:  ${info.version}`, 'encoders (compiled in; hardware ones also need the device):'];
  for (const name of DOCTOR_ENCODERS) lines.push(`  ${name.padEnd(18)} ${encoders.has(name) ? 'yes' : 'no'}`);
  lines.push(`drawtext: ${filters.has('drawtext') ? 'yes (testsrc burns in a frame counter)' : 'no (testsrc2 counter only)'}`);
  const ok = encoders.has('libx264') && encoders.has('aac');
  if (!ok) lines.push('problem:  libx264 and aac are required to publish');
  process.stdout.write(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
}
