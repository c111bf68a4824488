// createOutput(spec): the one place that turns a destination description into an Output.
// To add a protocol: write its class, then register a builder in BUILDERS below.
import type { Codec } from '../protocol/media';
import type { Output } from './output';
import { RecordOutput } from './record/record-output';
import { RtmpOutput } from './rtmp/rtmp-output';
import { WhipOutput } from './whip/whip-output';
import { InputError } from '../../shared/errors';
import { redactUrl } from '../../shared/redact';

export type OutputSpec =
  | { kind: 'rtmp'; url: string; id?: string; allowUntrustedCertificate?: boolean }
  | { kind: 'whip'; url: string; token?: string; id?: string }
  | { kind: 'record'; path: string; id?: string };

export type OutputKind = OutputSpec['kind'];

export interface OutputContext {
  /** The resolved ffmpeg binary (the recorder remuxes through it). */
  ffmpegPath: string;
  /** Encoder bitrates, for onMetaData / WHIP bandwidth hints (default 2500 / 128). */
  videoBitrateKbps?: number;
  audioBitrateKbps?: number;
}

type SpecOf<K extends OutputKind> = Extract<OutputSpec, { kind: K }>;
type Builder<K extends OutputKind> = (spec: SpecOf<K>, ctx: OutputContext) => Output;

/** The codecs each kind consumes: the encoder only encodes audio that some output needs. */
export const CODECS: Record<OutputKind, readonly Codec[]> = {
  rtmp: ['h264', 'aac'],
  whip: ['h264', 'opus'],
  record: ['h264', 'aac'],
};

const BUILDERS: { [K in OutputKind]?: Builder<K> } = {
  record: (spec, ctx) => new RecordOutput({ path: spec.path, ffmpegPath: ctx.ffmpegPath, ...(spec.id === undefined ? {} : { id: spec.id }) }),
  rtmp: (spec, ctx) =>
    new RtmpOutput({
      id: spec.id ?? 'rtmp',
      url: spec.url,
      videoBitrateKbps: ctx.videoBitrateKbps ?? 2500,
      audioBitrateKbps: ctx.audioBitrateKbps ?? 128,
      ...(spec.allowUntrustedCertificate ? { verifyCertificate: false } : {}),
    }),
  whip: (spec, ctx) =>
    new WhipOutput({
      id: spec.id ?? 'whip',
      url: spec.url,
      ...(spec.token === undefined ? {} : { token: spec.token }),
      videoBitrateKbps: ctx.videoBitrateKbps ?? 2500,
      audioBitrateKbps: ctx.audioBitrateKbps ?? 128,
    }),
  // ── New protocols plug in HERE: a builder from their OutputSpec, plus CODECS above. ──
};

export function outputAvailable(kind: OutputKind): boolean {
  return BUILDERS[kind] !== undefined;
}

/** Display name for a destination: redacted URL (no key, no token) or the file path. */
export function describeSpec(spec: OutputSpec): string {
  return spec.kind === 'record' ? spec.path : redactUrl(spec.url);
}

/** Build the output for `spec`. Throws InputError for a kind without a builder ("not available yet"). */
export function createOutput(spec: OutputSpec, ctx: OutputContext): Output {
  switch (spec.kind) {
    case 'record':
      return build('record', spec, ctx);
    case 'rtmp':
      return build('rtmp', spec, ctx);
    case 'whip':
      return build('whip', spec, ctx);
  }
}

function build<K extends OutputKind>(kind: K, spec: SpecOf<K>, ctx: OutputContext): Output {
  const b = BUILDERS[kind] as Builder<K> | undefined;
  if (!b) throw new InputError('invalid-argument', `${kind.toUpperCase()} output not available yet`, { target: describeSpec(spec) });
  return b(spec, ctx);
}
