// The Studio's side of the obs-websocket endpoint (docs/ARCHITECTURE.md "Processes and
// transports"): what to run (the saved settings, or this run's command-line flags), the password
// (kept in the secret store with the stream keys, created on first use), and the status the
// Settings dialog shows. The server itself is control/obs-websocket/, attached here as a host so
// this folder never imports the control layer.
import { randomInt } from 'node:crypto';
import type { ObsWebSocketSettings, ObsWebSocketStatus } from '../../shared/api';
import { InvalidStateError, TandemError } from '../../shared/errors';
import type { SecretStore } from './secret-store';

/** The secret store id of the password (destination ids are UUIDs, so it cannot clash). */
export const OBS_WEBSOCKET_SECRET_ID = 'obs-websocket';

/** 56 letters and digits without look-alikes (0/O, 1/l/I): 20 of them are 116 bits. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export function newPassword(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** `tandem serve --obs-websocket-port N [--obs-websocket-password P | $TANDEM_OBS_WEBSOCKET_PASSWORD] [--obs-websocket-lan]`. */
export interface ObsWebSocketOverride {
  port?: number;
  lan?: boolean;
  /** '' runs without a password (this machine only). */
  password?: string;
}

/** What the server should run as; `password` undefined: no authentication. */
export interface ObsWebSocketRunConfig {
  enabled: boolean;
  port: number;
  lan: boolean;
  password?: string;
}

/** The running server as the control layer reports it. */
export interface RemoteControlHost {
  status(): Omit<ObsWebSocketStatus, 'enabled' | 'commandLine'>;
  /** The password changed: the server restarts with it (connected tools must use the new one). */
  passwordChanged(): void;
  disconnect(id: string): boolean;
}

export class RemoteControl {
  private host: RemoteControlHost | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly secrets: SecretStore,
    private readonly settings: () => ObsWebSocketSettings,
    private readonly override: ObsWebSocketOverride | undefined,
  ) {}

  attach(host: RemoteControlHost): () => void {
    this.host = host;
    return () => {
      if (this.host === host) this.host = undefined;
    };
  }

  get commandLine(): boolean {
    return this.override !== undefined;
  }

  async config(): Promise<ObsWebSocketRunConfig> {
    const s = this.settings();
    const o = this.override;
    const lan = o ? (o.lan ?? false) : s.lan;
    const cfg: ObsWebSocketRunConfig = { enabled: o ? true : s.enabled, port: o?.port ?? s.port, lan };
    if (o?.password !== undefined) {
      if (o.password) cfg.password = o.password;
    } else if (s.auth || lan) cfg.password = await this.password();
    return cfg;
  }

  status(): ObsWebSocketStatus {
    const run = this.host?.status() ?? { running: false, urls: [], authRequired: false, clients: [] };
    return { ...run, enabled: this.override ? true : this.settings().enabled, commandLine: this.commandLine };
  }

  /** The password in use, created (and stored) the first time it is needed. */
  password(): Promise<string> {
    if (this.override?.password !== undefined) return Promise.resolve(this.override.password);
    this.pending ??= (async () => {
      const saved = await this.secrets.get(OBS_WEBSOCKET_SECRET_ID);
      if (saved) return saved;
      const fresh = newPassword();
      await this.secrets.set(OBS_WEBSOCKET_SECRET_ID, fresh);
      return fresh;
    })().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async regenerate(): Promise<string> {
    if (this.override?.password !== undefined) throw new InvalidStateError('the obs-websocket password was given on the command line for this run');
    await this.pending?.catch(() => undefined);
    const fresh = newPassword();
    await this.secrets.set(OBS_WEBSOCKET_SECRET_ID, fresh);
    this.host?.passwordChanged();
    return fresh;
  }

  disconnect(id: string): null {
    if (!this.host?.disconnect(id)) throw new TandemError('not-found', 'no such obs-websocket client (it may have left)');
    return null;
  }
}
