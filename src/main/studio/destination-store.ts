// Saves the destination list (never the secrets: those go to a SecretStore, keyed by id) as JSON
// in the data folder: `destinations.json`, written atomically with mode 0600. Loading validates
// every record; a damaged file is moved aside (destinations.json.damaged-<time>) and an empty
// list comes back with a `problem` for the UI, so a bad file never stops the studio.
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ProtocolSchema, type DestinationProtocol } from '../../shared/api';
import { TandemError } from '../../shared/errors';
import { validateDestinationUrl } from './destinations';
import { writeFileAtomic } from './secret-store';

/** What is persisted of a destination: no secret, no runtime state. */
export interface StoredDestination {
  id: string;
  name: string;
  protocol: DestinationProtocol;
  url: string;
  enabled: boolean;
  presetId?: string;
  /** Own video bitrate (kbit/s). */
  videoBitrateKbps?: number;
  /** RTMPS: the explicit, per-destination certificate opt-out. */
  allowUntrustedCertificate?: boolean;
}

const StoredDestinationSchema = z
  .object({
    id: z.string().min(1).max(200),
    name: z.string().trim().min(1).max(80),
    protocol: ProtocolSchema,
    url: z.string().min(1).max(2048),
    enabled: z.boolean(),
    presetId: z.string().min(1).max(64).optional(),
    videoBitrateKbps: z.number().int().min(100).max(100_000).optional(),
    allowUntrustedCertificate: z.literal(true).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    try {
      validateDestinationUrl(d.protocol, d.url);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: err instanceof Error ? err.message : 'invalid URL' });
    }
  });

const FileSchema = z
  .object({ version: z.literal(1), destinations: z.array(StoredDestinationSchema) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.destinations.forEach((d, i) => {
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['destinations', i, 'id'], message: 'duplicate id' });
      seen.add(d.id);
    });
  });

export interface DestinationLoadResult {
  destinations: StoredDestination[];
  /** Why the saved file was not used, if it was not (it was moved aside). */
  problem?: string;
}

type Optional = 'presetId' | 'videoBitrateKbps' | 'allowUntrustedCertificate';

/** Only the persisted fields, whatever else the object carries (a DestinationRecord has the secret). */
export function toStored(d: Omit<StoredDestination, Optional> & { [K in Optional]?: StoredDestination[K] | undefined }): StoredDestination {
  const out: StoredDestination = { id: d.id, name: d.name, protocol: d.protocol, url: d.url, enabled: d.enabled };
  if (d.presetId !== undefined) out.presetId = d.presetId;
  if (d.videoBitrateKbps !== undefined) out.videoBitrateKbps = d.videoBitrateKbps;
  if (d.allowUntrustedCertificate === true && d.protocol === 'rtmps') out.allowUntrustedCertificate = true;
  return out;
}

function describe(err: unknown): string {
  if (err instanceof z.ZodError) {
    const first = err.issues[0];
    const path = first ? first.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') : '';
    return first ? `${path || '(file)'}: ${first.message}` : 'invalid file';
  }
  return err instanceof Error ? err.message : String(err);
}

export class DestinationStore {
  readonly file: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {
    this.file = join(dir, 'destinations.json');
  }

  async load(): Promise<DestinationLoadResult> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return { destinations: [] };
      // Unreadable (permissions…): keep the file where it is, report, start empty.
      return { destinations: [], problem: `the saved destinations could not be read (${describe(err)})` };
    }
    try {
      const parsed = FileSchema.parse(JSON.parse(text));
      return { destinations: parsed.destinations.map(toStored) };
    } catch (err) {
      const aside = `${this.file}.damaged-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      return { destinations: [], problem: `the saved destinations were damaged (${describe(err)}); the file was moved to ${aside}` };
    }
  }

  /** Writes the list (secrets and runtime state stripped); saves are serialized, the last one wins. */
  save(destinations: readonly StoredDestination[]): Promise<void> {
    const body = { version: 1 as const, destinations: destinations.map(toStored) };
    const check = FileSchema.safeParse(body);
    if (!check.success) return Promise.reject(new TandemError('invalid-argument', `cannot save destinations: ${describe(check.error)}`));
    const text = JSON.stringify(body, null, 1);
    const run = this.writing.then(() => writeFileAtomic(this.file, text));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every save started so far has finished. */
  flush(): Promise<void> {
    return this.writing;
  }
}
