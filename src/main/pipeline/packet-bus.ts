// PacketBus: the encoder groups' video and the shared audio fanned out to N outputs
// (docs/ARCHITECTURE.md "Media path").
// - Isolation: each output owns its SendQueue (outputs/queue.ts) and write() only enqueues; every
//   write is wrapped in try/catch, so an output that throws or is slow never blocks the others.
// - Starting: an output is started once every config it needs is known (its group's video and
//   each audio codec it carries that the audio source produces), so it never starts without audio.
// - Keyframes: when an output goes live (first connect or reconnect) the bus asks its group for an
//   IDR; a group that cannot force one (ffmpeg's fixed GOP) replays its GOP cache instead, so the
//   output still begins on a keyframe at once. PLI/FIR from an output go to its group's limiter.
// - Groups: an output can move to another group (a WHIP destination adapting its bitrate); it
//   switches at the new group's next keyframe, which is requested at once, so it never sees a gap.
import type { AudioPacket, Codec, CodecConfig, EncodedPacket, VideoPacket } from '../protocol/media';
import type { Output } from '../outputs/output';
import { InvalidStateError, TandemError } from '../../shared/errors';
import { TypedEmitter } from '../util/emitter';
import type { EncoderGroup } from './encoder-group';

/** The shared audio: every codec it will produce, and their configs once known. */
export interface AudioSource {
  /** Codecs this source will emit (AAC, Opus), known before their configs. */
  readonly expected: readonly Codec[];
  readonly configs: readonly CodecConfig[];
  on(event: 'packet', fn: (p: AudioPacket) => void): () => void;
  on(event: 'config', fn: (c: CodecConfig) => void): () => void;
}

export interface PacketBusOptions {
  /** Bound on each group's GOP cache, packets (about 20 s of 30 fps video + audio by default). */
  gopCacheMaxPackets?: number;
}

export interface AddOptions {
  /** The encoder group feeding this output's video. */
  group: string;
  /** Only these codecs reach the output (default: all). */
  codecs?: readonly Codec[];
}

export type SlotState = 'waiting' | 'started' | 'failed' | 'stopped';

export interface PacketBusEvents {
  /** An output failed for good (its start() rejected) or its write() threw. */
  outputError: (id: string, error: TandemError) => void;
  /** An output now takes its video from another group (at that group's keyframe). */
  moved: (id: string, from: string, to: string) => void;
}

interface Slot {
  output: Output;
  state: SlotState;
  group: string;
  /** Moving to this group at its next keyframe. */
  next: string | undefined;
  codecs: ReadonlySet<Codec> | undefined;
  writeErrors: number;
  offs: (() => void)[];
}

interface GroupEntry {
  group: EncoderGroup;
  gop: EncodedPacket[];
  offs: (() => void)[];
}

export class PacketBus extends TypedEmitter<PacketBusEvents> {
  private readonly slots = new Map<string, Slot>();
  private readonly groups = new Map<string, GroupEntry>();
  private readonly offAudio: (() => void)[] = [];
  private readonly maxCache: number;
  private closed = false;

  constructor(
    private readonly audio: AudioSource | undefined,
    opts: PacketBusOptions = {},
  ) {
    super();
    this.maxCache = opts.gopCacheMaxPackets ?? 1600;
    if (audio) {
      this.offAudio.push(
        audio.on('packet', (p) => this.onAudio(p)),
        audio.on('config', (c) => this.onAudioConfig(c)),
      );
    }
  }

  addGroup(group: EncoderGroup): void {
    if (this.groups.has(group.id)) return;
    const e: GroupEntry = { group, gop: [], offs: [] };
    e.offs.push(
      group.on('packet', (p) => this.onVideo(e, p)),
      group.on('config', (c) => this.onVideoConfig(e, c)),
    );
    this.groups.set(group.id, e);
  }

  /** Forget a group no output uses any more. */
  removeGroup(id: string): void {
    const e = this.groups.get(id);
    if (!e) return;
    if ([...this.slots.values()].some((s) => s.group === id || s.next === id)) throw new InvalidStateError(`encoder group ${id} still feeds outputs`);
    for (const off of e.offs.splice(0)) off();
    this.groups.delete(id);
  }

  /** Add an output: started once its configs are known, fed from its first keyframe after it goes live. */
  add(output: Output, opts: AddOptions): void {
    if (this.closed) throw new InvalidStateError('packet bus is closed');
    if (this.slots.has(output.id)) throw new InvalidStateError(`output ${output.id} already added`);
    const entry = this.groups.get(opts.group);
    if (!entry) throw new InvalidStateError(`no encoder group ${opts.group}`);
    const slot: Slot = { output, state: 'waiting', group: opts.group, next: undefined, codecs: opts.codecs ? new Set(opts.codecs) : undefined, writeErrors: 0, offs: [] };
    slot.offs.push(
      output.on('keyframeRequest', () => this.groupOf(slot)?.group.requestKeyframe('pli')),
      output.on('state', (s) => {
        if (s === 'live') this.onLive(slot);
      }),
    );
    this.slots.set(output.id, slot);
    entry.group.outputs++;
    this.maybeStart(slot);
  }

  /** Feed `id` from `group` from that group's next keyframe on (asked for now). */
  move(id: string, group: string): void {
    const slot = this.slots.get(id);
    const entry = this.groups.get(group);
    if (!slot || !entry || slot.group === group) {
      if (slot) slot.next = undefined;
      return;
    }
    slot.next = group;
    entry.group.requestKeyframe('switch');
  }

  groupOfOutput(id: string): string | undefined {
    return this.slots.get(id)?.group;
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
    for (const off of slot.offs.splice(0)) off();
    const g = this.groups.get(slot.group);
    if (g) g.group.outputs--;
    slot.state = 'stopped';
    await slot.output.stop().catch(() => undefined);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((id) => this.remove(id)));
  }

  /** Detach from every source and output (does not stop outputs: call stopAll first). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offAudio.splice(0)) off();
    for (const e of this.groups.values()) for (const off of e.offs.splice(0)) off();
    for (const s of this.slots.values()) for (const off of s.offs.splice(0)) off();
    this.slots.clear();
    this.groups.clear();
    this.removeAllListeners();
  }

  // ───────────────────────────────────────────────────────────────────────────────────────────

  private groupOf(slot: Slot): GroupEntry | undefined {
    return this.groups.get(slot.group);
  }

  /** The configs `slot` needs, or undefined while one is still unknown. */
  private configsFor(slot: Slot): CodecConfig[] | undefined {
    const video = this.groupOf(slot)?.group.config;
    if (!video) return undefined;
    const wants = (c: Codec): boolean => !slot.codecs || slot.codecs.has(c);
    const out: CodecConfig[] = wants(video.codec) ? [video] : [];
    for (const codec of this.audio?.expected ?? []) {
      if (!wants(codec)) continue;
      const c = this.audio?.configs.find((x) => x.codec === codec);
      if (!c) return undefined;
      out.push(c);
    }
    return out;
  }

  private maybeStart(slot: Slot): void {
    if (slot.state !== 'waiting') return;
    const configs = this.configsFor(slot);
    if (!configs) return;
    slot.state = 'started';
    let started: Promise<void>;
    try {
      started = slot.output.start(configs);
    } catch (err) {
      started = Promise.reject(err);
    }
    started.catch((err: unknown) => {
      if (slot.state === 'stopped') return;
      slot.state = 'failed';
      this.emit('outputError', slot.output.id, asTandem(err));
    });
  }

  /** The output is live on a new connection: it needs a keyframe now. */
  private onLive(slot: Slot): void {
    const e = this.groupOf(slot);
    if (!e) return;
    if (e.group.canForceKeyframe) e.group.requestKeyframe('join');
    else for (const p of e.gop) this.deliver(slot, p);
  }

  private onAudioConfig(_c: CodecConfig): void {
    for (const s of this.slots.values()) this.maybeStart(s);
  }

  private onVideoConfig(e: GroupEntry, c: CodecConfig): void {
    for (const s of this.slots.values()) {
      if (s.group !== e.group.id) continue;
      if (s.state === 'waiting') this.maybeStart(s);
      else if (s.state === 'started') s.output.updateConfig(c);
    }
  }

  private onAudio(p: AudioPacket): void {
    for (const e of this.groups.values()) if (e.gop.length > 0 && e.gop.length < this.maxCache) e.gop.push(p);
    for (const s of this.slots.values()) if (s.state === 'started') this.deliver(s, p);
  }

  private onVideo(e: GroupEntry, p: VideoPacket): void {
    if (p.keyframe) e.gop = [p];
    else if (e.gop.length > 0 && e.gop.length < this.maxCache) e.gop.push(p);
    const id = e.group.id;
    for (const s of this.slots.values()) {
      if (s.state !== 'started') continue;
      if (s.next === id && p.keyframe) this.switchGroup(s, e);
      if (s.group === id) this.deliver(s, p);
    }
  }

  private switchGroup(s: Slot, to: GroupEntry): void {
    const from = this.groupOf(s);
    if (from) from.group.outputs--;
    to.group.outputs++;
    const was = s.group;
    s.group = to.group.id;
    s.next = undefined;
    if (to.group.config) s.output.updateConfig(to.group.config);
    this.emit('moved', s.output.id, was, to.group.id);
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
}

function asTandem(err: unknown): TandemError {
  if (err instanceof TandemError) return err;
  return new TandemError('internal', err instanceof Error ? err.message : String(err), { cause: err });
}
