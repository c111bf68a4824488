// PacketBus tests live with the record tests (test/unit/studio is another helper's folder).
import { describe, expect, it } from 'vitest';
import { PacketBus, type PacketSource } from '../../../../src/main/studio/packet-bus';
import type { EncoderEvents } from '../../../../src/main/encoder/encoder';
import type { Output, OutputEvents } from '../../../../src/main/outputs/output';
import type { CodecConfig, EncodedPacket } from '../../../../src/main/protocol/media';
import { TypedEmitter } from '../../../../src/main/util/emitter';
import { emptyStats, type OutputStats } from '../../../../src/shared/stats';

class FakeEncoder extends TypedEmitter<EncoderEvents> implements PacketSource {
  configs: CodecConfig[] = [];
  keyRequests = 0;
  requestKeyframe(): number {
    this.keyRequests++;
    return 1000;
  }
  fire<K extends keyof EncoderEvents>(e: K, ...args: Parameters<EncoderEvents[K]>): void {
    this.emit(e, ...args);
  }
}

class FakeOutput extends TypedEmitter<OutputEvents> implements Output {
  readonly protocol = 'record' as const;
  got: EncodedPacket[] = [];
  started: readonly CodecConfig[] | undefined;
  stopped = 0;
  constructor(
    readonly id: string,
    private readonly behaviour: { throwOnWrite?: boolean; slowMs?: number; rejectStart?: boolean; startDelayMs?: number } = {},
  ) {
    super();
  }
  async start(configs: readonly CodecConfig[]): Promise<void> {
    if (this.behaviour.startDelayMs) await new Promise((r) => setTimeout(r, this.behaviour.startDelayMs));
    if (this.behaviour.rejectStart) throw new Error('refused');
    this.started = configs;
  }
  write(p: EncodedPacket): void {
    if (this.behaviour.throwOnWrite) throw new Error('boom');
    if (this.behaviour.slowMs) {
      const end = performance.now() + this.behaviour.slowMs;
      while (performance.now() < end);
    }
    this.got.push(p);
  }
  async stop(): Promise<void> {
    this.stopped++;
  }
  stats(): OutputStats {
    return emptyStats(this.id, 'record', 'x');
  }
  askKeyframe(): void {
    this.emit('keyframeRequest');
  }
}

const H264: CodecConfig = { codec: 'h264', width: 2, height: 2, fps: 30, sps: [], pps: [] };
const AAC: CodecConfig = { codec: 'aac', sampleRate: 48000, channels: 2, asc: new Uint8Array([0x11, 0x90]) };
const OPUS: CodecConfig = { codec: 'opus', sampleRate: 48000, channels: 2 };
const vid = (i: number, key = false): EncodedPacket => ({ track: 'video', codec: 'h264', pts: i, dts: i, keyframe: key, data: new Uint8Array([i]) });
const aud = (i: number, codec: 'aac' | 'opus' = 'aac'): EncodedPacket => ({ track: 'audio', codec, pts: i, dts: i, keyframe: true, data: new Uint8Array([i]) });
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ready(enc: FakeEncoder): void {
  enc.configs = [H264, AAC, OPUS];
  enc.fire('ready', enc.configs);
}

describe('PacketBus', () => {
  it('starts outputs when configs are ready and replays the GOP from its keyframe', async () => {
    const enc = new FakeEncoder();
    const bus = new PacketBus(enc);
    const out = new FakeOutput('a');
    bus.add(out);
    enc.fire('packet', aud(0)); // before any keyframe: not cached
    enc.fire('packet', vid(1, true));
    ready(enc);
    enc.fire('packet', vid(2));
    await tick();
    enc.fire('packet', vid(3));
    expect(out.started).toEqual([H264, AAC, OPUS]);
    expect(out.got.map((p) => p.dts)).toEqual([1, 2, 3]);
    bus.close();
  });
  it('filters codecs per output', async () => {
    const enc = new FakeEncoder();
    ready(enc);
    const bus = new PacketBus(enc);
    const rtmp = new FakeOutput('rtmp');
    bus.add(rtmp, { codecs: ['h264', 'aac'] });
    await tick();
    for (const p of [vid(1, true), aud(2, 'aac'), aud(3, 'opus')]) enc.fire('packet', p);
    expect(rtmp.started?.map((c) => c.codec)).toEqual(['h264', 'aac']);
    expect(rtmp.got.map((p) => p.codec)).toEqual(['h264', 'aac']);
  });
  it('an output that throws or is slow does not stop the others', async () => {
    const enc = new FakeEncoder();
    ready(enc);
    const bus = new PacketBus(enc);
    const bad = new FakeOutput('bad', { throwOnWrite: true });
    const slow = new FakeOutput('slow', { slowMs: 2 });
    const good = new FakeOutput('good');
    const errors: string[] = [];
    bus.on('outputError', (id) => errors.push(id));
    [bad, slow, good].forEach((o) => bus.add(o));
    await tick();
    for (let i = 0; i < 20; i++) enc.fire('packet', vid(i, i === 0));
    expect(good.got).toHaveLength(20);
    expect(slow.got).toHaveLength(20);
    expect(errors).toEqual(['bad']); // reported once, not per packet
  });
  it('a rejected start fails only that output', async () => {
    const enc = new FakeEncoder();
    ready(enc);
    const bus = new PacketBus(enc);
    const errors: string[] = [];
    bus.on('outputError', (id, e) => errors.push(`${id}:${e.message}`));
    bus.add(new FakeOutput('x', { rejectStart: true }));
    const ok = new FakeOutput('ok');
    bus.add(ok);
    await tick();
    enc.fire('packet', vid(1, true));
    expect(errors).toEqual(['x:refused']);
    expect(bus.state('x')).toBe('failed');
    expect(ok.got).toHaveLength(1);
  });
  it('a late joiner starts on the cached keyframe, never mid-GOP', async () => {
    const enc = new FakeEncoder();
    ready(enc);
    const bus = new PacketBus(enc);
    for (let i = 0; i < 5; i++) enc.fire('packet', vid(i, i === 0));
    const late = new FakeOutput('late', { startDelayMs: 5 });
    bus.add(late);
    enc.fire('packet', vid(5));
    await tick(20);
    enc.fire('packet', vid(6));
    expect(late.got.map((p) => p.dts)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(late.got[0]!.keyframe).toBe(true);
  });
  it('rate-limits keyframe requests to the encoder', async () => {
    const enc = new FakeEncoder();
    let now = 0;
    const bus = new PacketBus(enc, { keyframeMinIntervalMs: 1000, now: () => now });
    const o = new FakeOutput('w');
    bus.add(o);
    o.askKeyframe();
    o.askKeyframe();
    now = 500;
    o.askKeyframe();
    now = 1200;
    o.askKeyframe();
    expect(enc.keyRequests).toBe(2);
    expect(bus.keyframeRequests).toEqual({ received: 4, forwarded: 2 });
  });
  it('stopAll stops every output once; close detaches everything and is idempotent', async () => {
    const enc = new FakeEncoder();
    ready(enc);
    const bus = new PacketBus(enc);
    const a = new FakeOutput('a');
    const b = new FakeOutput('b');
    bus.add(a);
    bus.add(b);
    expect(() => bus.add(new FakeOutput('a'))).toThrow();
    await bus.stopAll();
    await bus.stopAll();
    expect([a.stopped, b.stopped]).toEqual([1, 1]);
    expect(a.listenerCount('keyframeRequest')).toBe(0);
    bus.close();
    bus.close();
    expect(enc.listenerCount('packet')).toBe(0);
    expect(() => bus.add(new FakeOutput('c'))).toThrow();
  });
});
