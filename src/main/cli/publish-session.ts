// One destination of `tandem publish`: its output, what went wrong, and its stats lines.
import type { Output } from '../outputs/output';
import { type OutputSpec, describeSpec } from '../outputs/factory';
import type { OutputState } from '../../shared/stats';
import { redactText } from '../../shared/redact';

export class Destination {
  readonly label: string;
  failure: string | undefined;
  everLive = false;
  private readonly offs: (() => void)[] = [];

  constructor(
    readonly spec: OutputSpec,
    readonly output: Output,
  ) {
    this.label = describeSpec(spec);
    this.offs.push(
      output.on('state', (state, detail) => this.onState(state, detail?.error?.message)),
      output.on('error', (err) => {
        if (this.output.stats().state !== 'live') this.fail(err.message);
      }),
    );
  }

  /** Secrets that must never appear in what we print: stream key, token. */
  secrets(): string[] {
    const s: string[] = [];
    if (this.spec.kind === 'whip' && this.spec.token) s.push(this.spec.token);
    if (this.spec.kind !== 'record') {
      try {
        const u = new URL(this.spec.url);
        const key = u.pathname.split('/').pop();
        if (this.spec.kind === 'rtmp' && key) s.push(key);
        if (u.password) s.push(u.password);
        for (const v of u.searchParams.values()) s.push(v);
      } catch {
        s.push(this.spec.url);
      }
    }
    return s;
  }

  fail(cause: string): void {
    this.failure ??= redactText(cause, this.secrets());
  }

  get state(): OutputState {
    return this.output.stats().state;
  }

  statsLine(t: number): string {
    return JSON.stringify({ t: Math.round(t * 1000) / 1000, ...this.output.stats() });
  }

  private onState(state: OutputState, message: string | undefined): void {
    if (state === 'live') this.everLive = true;
    if (state === 'failed') this.fail(message ?? 'failed');
    if (state === 'reconnecting') this.fail(`connection dropped${message ? ` (${message})` : ''}; reconnecting`);
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
  }
}
