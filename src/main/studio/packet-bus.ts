// PacketBus: one encoder's packets and configs fanned out to N outputs (DESIGN.md data flow).
// - Isolation: each output owns its SendQueue (outputs/queue.ts) and write() only enqueues; the bus
//   wraps every write in try/catch, so an output that throws or is slow never blocks the others.
// - Joining: an output is started with the configs once the encoder has them, then fed from the
//   GOP cache (everything since the last keyframe), so it always begins on a keyframe and a
//   recording started with the encoder loses no frame.
// - Keyframe requests ('keyframeRequest' from an output, e.g. a WHIP PLI) reach the encoder at most
//   once per `keyframeMinIntervalMs` (default 1000 ms); extra requests inside the window are
//   coalesced. With the ffmpeg CLI the encoder answers with its fixed short GOP (see Encoder).
import type { Codec, CodecConfig, EncodedPacket } from '../protocol/media';
import type { Output } from '../outputs/output';
import type { EncoderEvents } from '../encoder/encoder';
import { TandemError } from '../../shared/errors';
import { TypedEmitter } from '../util/emitter';

/** What the bus needs from an encoder (the Encoder class fits). */
export interface PacketSource {
  on<K extends keyof EncoderEvents>(event: K, fn: EncoderEvents[K]): () => void;
  off<K extends keyof EncoderEvents>(event: K, fn: EncoderEvents[K]): void;
  readonly configs: CodecConfig[];
  requestKeyframe(): number;
}

export interface PacketBusOptions {
  keyframeMinIntervalMs?: number;
  /** Bound on the GOP cache, packets (about 20 s of 30 fps video + audio by default). */
  gopCacheMaxPackets?: number;
  /** Clock for rate limiting, ms. */
  now?: () => number;
}

export interface AddOptions {
  /** Only these codecs reach the output (default: all). */
  codecs?: readonly Codec[];
}

export type SlotState = 'waiting' | 'starting' | 'flowing' | 'failed' | 'stopped';

export interface PacketBusEvents {
  /** An output's start() rejected or its write() threw. */
  outputError: (id: string, error: TandemError) => void;
  outputStarted: (id: string) => void;
  /** A keyframe request was forwarded to the encoder; `inMs` until the next IDR. */
  keyframeRequested: (id: string, inMs: number) => void;
}

interface Slot {
  output: Output;
  state: SlotState;
  codecs: ReadonlySet<Codec> | undefined;
  writeErrors: number;
  off: () => void;
}

export class PacketBus extends TypedEmitter<PacketBusEvents> {
  private readonly slots = new Map<string, Slot>();
  private gop: EncodedPacket[] = [];
  private readonly offSource: (() => void)[] = [];
  private lastKeyRequest = -Infinity;
  private closed = false;
  private readonly minKeyMs: number;
  private readonly maxCache: number;
  private readonly now: () => number;
  /** Keyframe requests received / forwarded to the encoder. */
  keyframeRequests = { received: 0, forwarded: 0 };

  constructor(
    private readonly source: PacketSource,
    opts: PacketBusOptions = {},
  ) {
    super();
    this.minKeyMs = opts.keyframeMinIntervalMs ?? 1000;
    this.maxCache = opts.gopCacheMaxPackets ?? 1600;
    this.now = opts.now ?? (() => performance.now());
    this.offSource.push(
      source.on('packet', (p) => this.onPacket(p)),
      source.on('ready', (configs) => this.onReady(configs)),
    );
  }

  get ready(): boolean {
    return this.hasVideoConfig(this.source.configs);
  }

  /** Add an output: started as soon as configs are known, fed from the next (cached) keyframe. */
  add(output: Output, opts: AddOptions = {}): void {
    if (this.closed) throw new TandemError('invalid-state', 'packet bus is closed');
    if (this.slots.has(output.id)) throw new TandemError('invalid-state', `output ${output.id} already added`);
    const onKey = (): void => this.onKeyframeRequest(output.id);
    const offKey = output.on('keyframeRequest', onKey);
    const slot: Slot = { output, state: 'waiting', codecs: opts.codecs ? new Set(opts.codecs) : undefined, writeErrors: 0, off: offKey };
    this.slots.set(output.id, slot);
    if (this.ready) this.startSlot(slot, this.source.configs);
  }

  state(id: string): SlotState | undefined {
    return this.slots.get(id)?.state;
  }

  outputs(): Output[] {
    return [...this.slots.values()].map((s) => s.output);
  }

  /** Stop one output (server goodbye, file finalised) and forget it. */
  async remove(id: string): Promise<void> {
    const slot = this.slots.get(id);
    if (!slot) return;
    this.slots.delete(id);
    slot.off();
    slot.state = 'stopped';
    await slot.output.stop().catch(() => undefined);
  }

  /** Stop every output in parallel; resolves when all said goodbye. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((id) => this.remove(id)));
  }

  /** Detach from the source and every output (does not stop outputs: call stopAll first). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offSource.splice(0)) off();
    for (const s of this.slots.values()) s.off();
    this.slots.clear();
    this.gop = [];
    this.removeAllListeners();
  }

  private hasVideoConfig(configs: readonly CodecConfig[]): boolean {
    return configs.some((c) => c.codec === 'h264');
  }

  private onReady(configs: readonly CodecConfig[]): void {
    for (const s of this.slots.values()) if (s.state === 'waiting') this.startSlot(s, configs);
  }

  private startSlot(slot: Slot, configs: readonly CodecConfig[]): void {
    slot.state = 'starting';
    const wanted = slot.codecs ? configs.filter((c) => slot.codecs!.has(c.codec)) : configs;
    let started: Promise<void>;
    try {
      started = slot.output.start(wanted);
    } catch (err) {
      started = Promise.reject(err);
    }
    started.then(
      () => {
        if (slot.state !== 'starting') return;
        slot.state = 'flowing';
        this.emit('outputStarted', slot.output.id);
        for (const p of this.gop) this.deliver(slot, p);
      },
      (err: unknown) => {
        if (slot.state === 'stopped') return;
        slot.state = 'failed';
        this.emit('outputError', slot.output.id, asTandem(err));
      },
    );
  }

  private onPacket(p: EncodedPacket): void {
    if (p.track === 'video' && p.keyframe) this.gop = [p];
    else if (this.gop.length > 0 && this.gop.length < this.maxCache) this.gop.push(p);
    for (const slot of this.slots.values()) if (slot.state === 'flowing') this.deliver(slot, p);
  }

  private deliver(slot: Slot, p: EncodedPacket): void {
    if (slot.codecs && !slot.codecs.has(p.codec)) return;
    try {
      slot.output.write(p);
    } catch (err) {
      slot.writeErrors++;
      if (slot.writeErrors === 1) this.emit('outputError', slot.output.id, asTandem(err));
    }
  }

  private onKeyframeRequest(id: string): void {
    this.keyframeRequests.received++;
    const t = this.now();
    if (t - this.lastKeyRequest < this.minKeyMs) return;
    this.lastKeyRequest = t;
    this.keyframeRequests.forwarded++;
    this.emit('keyframeRequested', id, this.source.requestKeyframe());
  }
}

function asTandem(err: unknown): TandemError {
  if (err instanceof TandemError) return err;
  return new TandemError('internal', err instanceof Error ? err.message : String(err), { cause: err });
}
