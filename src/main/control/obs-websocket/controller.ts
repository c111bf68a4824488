// Runs the obs-websocket endpoint for an engine: starts it when the settings (or the command
// line) say so, restarts it when they or the password change, and stops it on exit with
// ExitStarted. Both the desktop app (src/main/index.ts) and `tandem serve` (cli/start.ts) use
// it; the Studio's RemoteControl (studio/remote-control.ts) is its source of truth.
import { networkInterfaces } from 'node:os';
import type { ObsWebSocketStatus } from '../../../shared/api';
import type { Studio } from '../../studio/studio';
import type { ProgramPictures } from '../../studio/program-picture';
import type { RemoteControlHost } from '../../studio/remote-control';
import { ObsWebSocketService } from './service';

/** ws:// URLs a tool can connect to: this machine first, then each LAN IPv4 address when listening there. */
export function connectUrls(host: string | undefined, port: number | undefined, lanAddresses: () => string[] = lanIPv4): string[] {
  if (host === undefined || port === undefined) return [];
  const local = `ws://127.0.0.1:${port}`;
  return host === '127.0.0.1' ? [local] : [local, ...lanAddresses().map((a) => `ws://${a}:${port}`)];
}

function lanIPv4(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
}

export class ObsWebSocketController implements RemoteControlHost {
  private readonly service: ObsWebSocketService;
  private applied = '';
  private offState: (() => void) | undefined;
  private detach: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly studio: Studio,
    pictures?: ProgramPictures,
  ) {
    this.service = new ObsWebSocketService(studio, undefined, pictures);
  }

  /** Starts following the settings; resolves once the first configuration is applied. */
  async start(): Promise<ObsWebSocketStatus> {
    this.detach = this.studio.remote.attach(this);
    this.offState = this.studio.on('state', () => {
      if (this.key() !== this.applied) void this.apply();
    });
    await this.apply();
    return this.studio.remote.status();
  }

  status(): Omit<ObsWebSocketStatus, 'enabled' | 'commandLine'> {
    const s = this.service.status();
    const out: Omit<ObsWebSocketStatus, 'enabled' | 'commandLine'> = {
      running: s.running,
      urls: connectUrls(s.host, s.port),
      authRequired: s.authRequired,
      clients: s.clients.map((c) => ({ id: c.id, address: c.address, port: c.port, connectedAt: c.connectedAt, identifiedAt: c.identifiedAt, rpcVersion: c.rpcVersion })),
    };
    if (s.host !== undefined) out.host = s.host;
    if (s.port !== undefined) out.port = s.port;
    if (s.error !== undefined) out.error = s.error;
    return out;
  }

  passwordChanged(): void {
    void this.apply(true);
  }

  disconnect(id: string): boolean {
    return this.service.kick(id);
  }

  /** Engine exit: ExitStarted to every subscribed client, then the server closes. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.offState?.();
    this.detach?.();
    await this.service.shutdown();
  }

  /** What a restart depends on: the settings, unless the command line fixed the run. */
  private key(): string {
    return this.studio.remote.commandLine ? 'command-line' : JSON.stringify(this.studio.getSettings().obsWebSocket);
  }

  /** Applies the current configuration; a failure (busy port) shows in status().error. */
  private async apply(force = false): Promise<void> {
    if (this.stopped) return;
    const key = this.key();
    if (!force && key === this.applied) return;
    this.applied = key;
    try {
      const cfg = await this.studio.remote.config();
      if (this.stopped) return;
      await this.service.apply(cfg.password === undefined ? { enabled: cfg.enabled, port: cfg.port, lan: cfg.lan } : cfg);
    } catch {
      // service.status().error carries the reason for the Settings dialog
    }
  }
}
