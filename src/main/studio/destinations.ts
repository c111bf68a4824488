// Destination records: validation of what the user typed, and the split between what may be
// shown (masked) and the secret itself, which only the outputs ever read.
import { randomUUID } from 'node:crypto';
import type { Destination, DestinationInput, DestinationProtocol } from '../../shared/api';
import { InputError, type ErrorInfo } from '../../shared/errors';
import { maskSecret } from '../../shared/redact';
import type { OutputState } from '../../shared/stats';

export interface DestinationRecord {
  id: string;
  name: string;
  protocol: DestinationProtocol;
  url: string;
  secret: string;
  enabled: boolean;
  /** Own video bitrate (kbit/s); undefined = the studio's setting. */
  videoBitrateKbps?: number;
  /** RTMPS: accept an untrusted certificate (an explicit, per-destination opt-out). */
  allowUntrustedCertificate?: boolean;
  state: OutputState;
  error?: ErrorInfo;
  retry?: { at: number; attempt: number };
}

const SCHEMES: Record<DestinationProtocol, readonly string[]> = {
  rtmp: ['rtmp:'],
  rtmps: ['rtmps:'],
  whip: ['http:', 'https:'],
};

/** Checks the server URL against the protocol. Throws InputError with a message for a person. */
export function validateDestinationUrl(protocol: DestinationProtocol, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InputError('invalid-url', `'${raw.slice(0, 80)}' is not a URL`);
  }
  const allowed = SCHEMES[protocol];
  if (!allowed.includes(url.protocol)) {
    const want = allowed.map((s) => `${s}//`).join(' or ');
    throw new InputError('invalid-url', `a ${protocol.toUpperCase()} destination needs a ${want} URL, not ${url.protocol}//`);
  }
  if (!url.hostname) throw new InputError('invalid-url', 'the URL has no host');
  if (protocol !== 'whip' && url.pathname.replace(/\//g, '') === '') {
    throw new InputError('invalid-url', 'an RTMP server URL needs an application, e.g. rtmp://host/live');
  }
  return url.toString().replace(/\/$/, '');
}

export function validateSecret(protocol: DestinationProtocol, secret: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(secret)) {
    throw new InputError('invalid-key', protocol === 'whip' ? 'the token contains spaces or control characters' : 'the stream key contains spaces or control characters');
  }
  return secret;
}

export function createRecord(input: DestinationInput): DestinationRecord {
  const rec: DestinationRecord = {
    id: randomUUID(),
    name: input.name.trim(),
    protocol: input.protocol,
    url: validateDestinationUrl(input.protocol, input.url),
    secret: validateSecret(input.protocol, input.secret ?? ''),
    enabled: input.enabled ?? true,
    state: 'idle',
  };
  return withOptions(rec, input);
}

/** The optional per-destination settings: a bitrate of its own, the RTMPS certificate opt-out. */
function withOptions(rec: DestinationRecord, patch: { videoBitrateKbps?: number | null | undefined; allowUntrustedCertificate?: boolean | undefined }): DestinationRecord {
  const out = { ...rec };
  if (patch.videoBitrateKbps === null) delete out.videoBitrateKbps;
  else if (patch.videoBitrateKbps !== undefined) out.videoBitrateKbps = patch.videoBitrateKbps;
  if (patch.allowUntrustedCertificate !== undefined) {
    if (patch.allowUntrustedCertificate && out.protocol === 'rtmps') out.allowUntrustedCertificate = true;
    else delete out.allowUntrustedCertificate;
  }
  if (out.protocol !== 'rtmps') delete out.allowUntrustedCertificate;
  return out;
}

export function applyPatch(rec: DestinationRecord, patch: { [K in keyof DestinationInput]?: DestinationInput[K] | undefined }): DestinationRecord {
  const protocol = patch.protocol ?? rec.protocol;
  const next: DestinationRecord = {
    ...rec,
    name: patch.name?.trim() ?? rec.name,
    protocol,
    url: validateDestinationUrl(protocol, patch.url ?? rec.url),
    secret: patch.secret === undefined ? rec.secret : validateSecret(protocol, patch.secret),
    enabled: patch.enabled ?? rec.enabled,
  };
  return withOptions(next, patch);
}

/** The public view: never carries the secret. */
export function toPublic(rec: DestinationRecord): Destination {
  const d: Destination = {
    id: rec.id,
    name: rec.name,
    protocol: rec.protocol,
    url: rec.url,
    secretMasked: maskSecret(rec.secret),
    hasSecret: rec.secret.length > 0,
    enabled: rec.enabled,
    state: rec.state,
  };
  if (rec.videoBitrateKbps !== undefined) d.videoBitrateKbps = rec.videoBitrateKbps;
  if (rec.allowUntrustedCertificate) d.allowUntrustedCertificate = true;
  if (rec.error) d.error = { code: rec.error.code, message: rec.error.message, ...(rec.error.status !== undefined ? { status: rec.error.status } : {}) };
  if (rec.retry) d.retry = { ...rec.retry };
  return d;
}
