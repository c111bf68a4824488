// Saves the destination list (never the secrets: those go to a SecretStore, keyed by id) as JSON
// in the data folder: `destinations.json` (json-store.ts: atomic, mode 0600, a damaged file moved
// aside). Loading validates every record.
import { z } from 'zod';
import { ProtocolSchema, type DestinationProtocol } from '../../shared/api';
import { validateDestinationUrl } from './destinations';
import { JsonFileStore } from './json-store';

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
    allowUntrustedCertificate: z.boolean().optional(),
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

export class DestinationStore {
  private readonly store: JsonFileStore<z.infer<typeof FileSchema>>;

  constructor(readonly dir: string) {
    this.store = new JsonFileStore(dir, 'destinations.json', FileSchema, 'destinations');
  }

  get file(): string {
    return this.store.file;
  }

  async load(): Promise<DestinationLoadResult> {
    const r = await this.store.load();
    const out: DestinationLoadResult = { destinations: (r.value?.destinations ?? []).map(toStored) };
    if (r.problem) out.problem = r.problem;
    return out;
  }

  /** Writes the list (secrets and runtime state stripped); saves are serialized, the last one wins. */
  save(destinations: readonly StoredDestination[]): Promise<void> {
    return this.store.save({ version: 1 as const, destinations: destinations.map(toStored) });
  }

  /** Resolves once every save started so far has finished. */
  flush(): Promise<void> {
    return this.store.flush();
  }
}
