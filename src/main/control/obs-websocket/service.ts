// What the engine holds: the obs-websocket server, off until a configuration turns it on.
// apply() starts, restarts (clients reconnect) or stops it; shutdown() is for engine exit and
// sends ExitStarted first. status() is what the Settings UI shows, and never holds the password.
import { toErrorInfo } from '../../../shared/errors';
import type { ObsEngine } from './model';
import type { ProgramPictures } from '../../studio/program-picture';
import { DEFAULT_PORT, startObsWebSocket, type ObsClientInfo, type ObsWebSocketOptions, type ObsWebSocketServer } from './server';

export interface ObsWebSocketConfig {
  enabled: boolean;
  /** Default 4455. */
  port?: number;
  /** Listen on the network, not just this machine. Needs a password. */
  lan?: boolean;
  password?: string;
  allowedOrigins?: readonly string[];
}

export interface ObsWebSocketStatus {
  running: boolean;
  host?: string;
  port?: number;
  authRequired: boolean;
  clients: ObsClientInfo[];
  /** Why the last apply() could not start the server. */
  error?: string;
}

export class ObsWebSocketService {
  private server: ObsWebSocketServer | undefined;
  private error: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: ObsEngine,
    private readonly onClientsChanged?: (clients: ObsClientInfo[]) => void,
    private readonly pictures?: ProgramPictures,
  ) {}

  /** Applies a configuration (calls are serialised). Rejects with the start error, if any. */
  apply(cfg: ObsWebSocketConfig): Promise<ObsWebSocketStatus> {
    const run = async (): Promise<ObsWebSocketStatus> => {
      await this.server?.close();
      this.server = undefined;
      this.error = undefined;
      if (cfg.enabled) {
        const opts: ObsWebSocketOptions = { port: cfg.port ?? DEFAULT_PORT, lan: cfg.lan ?? false };
        if (cfg.password) opts.password = cfg.password;
        if (cfg.allowedOrigins) opts.allowedOrigins = cfg.allowedOrigins;
        if (this.onClientsChanged) opts.onClientsChanged = this.onClientsChanged;
        if (this.pictures) opts.pictures = this.pictures;
        try {
          this.server = await startObsWebSocket(this.engine, opts);
        } catch (err) {
          this.error = toErrorInfo(err).message;
          throw err;
        }
      }
      return this.status();
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  status(): ObsWebSocketStatus {
    const s = this.server;
    const st: ObsWebSocketStatus = s
      ? { running: true, host: s.host, port: s.port, authRequired: s.authRequired, clients: s.clients() }
      : { running: false, authRequired: false, clients: [] };
    if (this.error !== undefined) st.error = this.error;
    return st;
  }

  kick(id: string): boolean {
    return this.server?.kick(id) ?? false;
  }

  /** Engine exit: ExitStarted to subscribed clients, then every connection closes. */
  async shutdown(): Promise<void> {
    await this.queue;
    const s = this.server;
    this.server = undefined;
    await s?.close({ exiting: true });
  }
}
