// Test media: Annex B access units from an H.264 elementary stream (split on AUD NAL units,
// which `-bsf:v h264_metadata=aud=insert` puts first in every access unit), and fake Opus.
import { spawn, type ChildProcess } from 'node:child_process';
import { videoPacket as makeVideoPacket, audioPacket, type EncodedPacket, type H264Config } from '../../../../src/main/protocol/media';
import { splitAnnexB } from '../../../../src/main/protocol/h264/annexb';
import { stripDelimiters } from '../../../../src/main/protocol/h264/access-unit';

export interface AccessUnit {
  data: Uint8Array;
  keyframe: boolean;
}

function nalStarts(buf: Uint8Array): { at: number; type: number }[] {
  const out: { at: number; type: number }[] = [];
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      const at = i > 0 && buf[i - 1] === 0 ? i - 1 : i;
      out.push({ at, type: (buf[i + 3] ?? 0) & 0x1f });
      i += 2;
    }
  }
  return out;
}

/** Whole access units found in `buf`, plus the unconsumed tail (an AU not yet terminated). */
export function splitAccessUnits(buf: Uint8Array, final = false): { units: AccessUnit[]; rest: Uint8Array } {
  const starts = nalStarts(buf).filter((n) => n.type === 9).map((n) => n.at);
  const units: AccessUnit[] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k] ?? 0;
    const to = starts[k + 1];
    if (to === undefined && !final) return { units, rest: buf.subarray(from) };
    const data = buf.subarray(from, to ?? buf.length);
    units.push({ data, keyframe: nalStarts(data).some((n) => n.type === 5) });
  }
  return { units, rest: new Uint8Array(0) };
}

export function h264ConfigFrom(au: Uint8Array, width: number, height: number, fps: number): H264Config {
  const starts = nalStarts(au);
  const nal = (t: number): Uint8Array[] => {
    const i = starts.findIndex((s) => s.type === t);
    const s = starts[i];
    if (!s) return [];
    let from = s.at;
    while (au[from] === 0) from++;
    from++;
    const end = starts[i + 1]?.at ?? au.length;
    return [au.slice(from, end)];
  };
  return { codec: 'h264', width, height, fps, sps: nal(7), pps: nal(8) };
}

export function videoPacket(au: AccessUnit, ptsUs: number): EncodedPacket {
  return makeVideoPacket('h264', ptsUs, ptsUs, au.keyframe, stripDelimiters(splitAnnexB(au.data)));
}

/** A syntactically plausible 20 ms Opus packet (TOC: SILK WB 20 ms mono, code 0) — opaque to RTP. */
export function fakeOpus(ptsUs: number): EncodedPacket {
  const data = new Uint8Array(60);
  data[0] = 0x48;
  return audioPacket('opus', ptsUs, data);
}

/** Opus packets from an Ogg stream (RFC 7845 §3 + RFC 3533 page layout); OpusHead/OpusTags skipped. */
export class OggOpusReader {
  private buf: Uint8Array = new Uint8Array(0);
  private partial: number[] = [];
  private index = 0;

  feed(chunk: Uint8Array): Uint8Array[] {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    this.buf = merged;
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.buf.length < 27) break;
      const nsegs = this.buf[26] ?? 0;
      if (this.buf.length < 27 + nsegs) break;
      const table = this.buf.subarray(27, 27 + nsegs);
      const bodyLen = table.reduce((a, b) => a + b, 0);
      if (this.buf.length < 27 + nsegs + bodyLen) break;
      let o = 27 + nsegs;
      for (const seg of table) {
        this.partial.push(...this.buf.subarray(o, o + seg));
        o += seg;
        if (seg < 255) {
          if (this.index++ >= 2) out.push(Uint8Array.from(this.partial));
          this.partial = [];
        }
      }
      this.buf = this.buf.slice(o);
    }
    return out;
  }
}

export interface LiveSource {
  proc: ChildProcess;
  onPacket: (fn: (p: EncodedPacket) => void) => void;
  /** The H.264 config, from the first access unit. */
  config: Promise<H264Config>;
  done: Promise<void>;
  stop: () => void;
}

/**
 * Live H.264 (+ Opus) from one real-time ffmpeg (the brief's command line: testsrc, libx264
 * veryfast zerolatency, no B-frames, fixed GOP, AUDs; sine → libopus 20 ms in Ogg on fd 3).
 * Video pts = frame index / fps, audio pts = packet index × 20 ms, both from 0.
 */
export function ffmpegSource(opts: { width: number; height: number; fps: number; seconds: number; gop: number; audio?: boolean }): LiveSource {
  const args = [
    '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi',
    '-i', `testsrc=size=${opts.width}x${opts.height}:rate=${opts.fps}`,
    ...(opts.audio ? ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
    '-t', String(opts.seconds), '-map', '0:v',
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-bf', '0',
    '-g', String(opts.gop), '-keyint_min', String(opts.gop), '-sc_threshold', '0', '-b:v', '2500k',
    '-profile:v', 'baseline', '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', 'pipe:1',
    ...(opts.audio ? ['-t', String(opts.seconds), '-map', '1:a', '-c:a', 'libopus', '-b:a', '64k', '-frame_duration', '20', '-page_duration', '20000', '-f', 'ogg', 'pipe:3'] : []),
  ];
  const proc = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
  let fn: (p: EncodedPacket) => void = () => undefined;
  let rest: Uint8Array = new Uint8Array(0);
  let frame = 0;
  let resolveConfig: (c: H264Config) => void = () => undefined;
  const config = new Promise<H264Config>((r) => (resolveConfig = r));
  const emitUnit = (u: AccessUnit): void => {
    if (frame === 0) resolveConfig(h264ConfigFrom(u.data, opts.width, opts.height, opts.fps));
    fn(videoPacket(u, Math.round((frame++ * 1e6) / opts.fps)));
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    const buf = new Uint8Array(rest.length + chunk.length);
    buf.set(rest);
    buf.set(chunk, rest.length);
    const r = splitAccessUnits(buf);
    rest = r.rest.slice();
    for (const u of r.units) emitUnit({ data: u.data.slice(), keyframe: u.keyframe });
  });
  const ogg = new OggOpusReader();
  let apkt = 0;
  const audioPipe = proc.stdio[3];
  if (audioPipe && 'on' in audioPipe) {
    audioPipe.on('data', (chunk: Buffer) => {
      for (const data of ogg.feed(chunk)) {
        const pts = apkt++ * 20_000;
        fn({ track: 'audio', codec: 'opus', pts, dts: pts, keyframe: true, data });
      }
    });
  }
  const done = new Promise<void>((resolve) =>
    proc.on('close', () => {
      for (const u of splitAccessUnits(rest, true).units) emitUnit(u);
      resolve();
    }),
  );
  return {
    proc,
    onPacket: (f) => (fn = f),
    config,
    done,
    stop: () => {
      if (proc.exitCode === null && proc.pid !== undefined) proc.kill('SIGKILL');
    },
  };
}
