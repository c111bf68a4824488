// PacketBus: configs before start (audio included), keyframes on live (forced, or the GOP cache),
// codec filters, isolation of outputs, moving an output between encoder groups at a keyframe.
import { describe, expect, it } from 'vitest';
import { PacketBus } from '../../../src/main/pipeline/packet-bus';
import { EncoderGroup } from '../../../src/main/pipeline/encoder-group';
import { AAC, FakeAudio, FakeBackend, FakeOutput, OPUS, aud, vid } from '../../helpers/pipeline-fakes';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

function setup(opts: { force?: boolean; expected?: ('aac' | 'opus')[] } = {}) {
  const audio = new FakeAudio(opts.expected ?? ['aac', 'opus']);
  const bus = new PacketBus(audio);
  const backend = new FakeBackend(opts.force ?? true);
  const group = new EncoderGroup({ id: 'g1', handle: 1, bitrateKbps: 2500, keyframeMinIntervalMs: 0 });
  group.attach(backend);
  bus.addGroup(group);
  const ready = (): void => {
    backend.config();
    audio.config(AAC);
    audio.config(OPUS);
  };
  return { audio, bus, backend, group, ready };
}

describe('PacketBus', () => {
  it('starts an output only when video and every audio codec it carries have a config', async () => {
    const { audio, bus, backend } = setup();
    const out = new FakeOutput('a');
    bus.add(out, { group: 'g1', codecs: ['h264', 'aac'] });
    backend.config();
    await tick();
    expect(out.started).toBeUndefined(); // video alone is not enough: AAC is still unknown
    audio.config(OPUS);
    expect(out.started).toBeUndefined(); // Opus is not this output's
    audio.config(AAC);
    expect(out.started?.map((c) => c.codec)).toEqual(['h264', 'aac']);
  });

  it('asks a forcing group for an IDR when an output goes live, and delivers from there', async () => {
    const { bus, backend, group, ready } = setup({ force: true });
    ready();
    backend.packet(vid(0, true));
    backend.packet(vid(1));
    const out = new FakeOutput('a');
    bus.add(out, { group: 'g1' });
    await tick();
    expect(backend.forced).toBe(1);
    expect(group.stats().forcedKeyframes).toBe(1);
    expect(out.got).toEqual([]); // no stale GOP replay when an IDR can be had at once
    backend.packet(vid(2, true));
    expect(out.got.map((p) => p.dts)).toEqual([2]);
  });

  it('replays the GOP cache to an output of a group that cannot force keyframes', async () => {
    const { audio, bus, backend, ready } = setup({ force: false });
    ready();
    backend.packet(vid(0));
    backend.packet(vid(1, true));
    audio.packet(aud(2));
    backend.packet(vid(3));
    const out = new FakeOutput('a');
    bus.add(out, { group: 'g1' });
    await tick();
    expect(out.got.map((p) => p.dts)).toEqual([1, 2, 3]);
    expect(out.got[0]?.track === 'video' && out.got[0].keyframe).toBe(true);
    expect(backend.forced).toBe(0);
  });

  it('keyframes reach outputs with their SPS and PPS first', async () => {
    const { bus, backend, ready } = setup();
    ready();
    const out = new FakeOutput('a');
    bus.add(out, { group: 'g1' });
    await tick();
    backend.packet(vid(1, true));
    const p = out.got[0];
    expect(p?.track).toBe('video');
    if (p?.track !== 'video') return;
    expect(p.nalus.map((n) => n[0]! & 0x1f).slice(0, 3)).toEqual([7, 8, 5]);
    expect(p.size).toBe(p.nalus.reduce((n, u) => n + u.length, 0));
  });

  it('filters codecs per output', async () => {
    const { audio, bus, backend, ready } = setup();
    ready();
    const rtmp = new FakeOutput('rtmp');
    bus.add(rtmp, { group: 'g1', codecs: ['h264', 'aac'] });
    await tick();
    backend.packet(vid(1, true));
    audio.packet(aud(2, 'aac'));
    audio.packet(aud(3, 'opus'));
    expect(rtmp.got.map((p) => p.codec)).toEqual(['h264', 'aac']);
  });

  it('an output that throws or is slow does not stop the others', async () => {
    const { bus, backend, ready } = setup();
    ready();
    const bad = new FakeOutput('bad', { throwOnWrite: true });
    const slow = new FakeOutput('slow', { slowMs: 2 });
    const good = new FakeOutput('good');
    const errors: string[] = [];
    bus.on('outputError', (id) => errors.push(id));
    for (const o of [bad, slow, good]) bus.add(o, { group: 'g1' });
    await tick();
    for (let i = 0; i < 20; i++) backend.packet(vid(i, i === 0));
    expect(good.got).toHaveLength(20);
    expect(slow.got).toHaveLength(20);
    expect(errors).toEqual(['bad']); // reported once, not per packet
  });

  it('a rejected start fails only that output', async () => {
    const { bus, backend, ready } = setup();
    ready();
    const errors: string[] = [];
    bus.on('outputError', (id, e) => errors.push(`${id}:${e.message}`));
    bus.add(new FakeOutput('x', { rejectStart: true }), { group: 'g1' });
    const ok = new FakeOutput('ok');
    bus.add(ok, { group: 'g1' });
    await tick();
    backend.packet(vid(1, true));
    expect(errors).toEqual(['x:refused']);
    expect(bus.state('x')).toBe('failed');
    expect(ok.got).toHaveLength(1);
  });

  it('PLI/FIR from an output go to its group (rate-limited there)', async () => {
    const { bus, backend, ready } = setup();
    ready();
    const o = new FakeOutput('w');
    bus.add(o, { group: 'g1' });
    await tick();
    const before = backend.forced;
    o.askKeyframe();
    expect(backend.forced).toBe(before + 1);
  });

  it('moves an output to another group at that group\'s next keyframe, which it asks for', async () => {
    const { bus, backend, ready } = setup();
    ready();
    const other = new FakeBackend(true);
    const g2 = new EncoderGroup({ id: 'g2', handle: 2, bitrateKbps: 800, keyframeMinIntervalMs: 0 });
    g2.attach(other);
    bus.addGroup(g2);
    other.config();
    const o = new FakeOutput('w');
    bus.add(o, { group: 'g1' });
    await tick();
    backend.packet(vid(1, true));
    bus.move('w', 'g2');
    expect(other.forced).toBe(1);
    other.packet(vid(2)); // not a keyframe: not yet
    backend.packet(vid(2));
    other.packet(vid(3, true)); // switch here
    backend.packet(vid(3));
    other.packet(vid(4));
    expect(o.got.map((p) => p.dts)).toEqual([1, 2, 3, 4]);
    expect(bus.groupOfOutput('w')).toBe('g2');
    expect(o.updated.map((c) => c.codec)).toEqual(['h264']);
    expect(() => bus.removeGroup('g2')).toThrow();
    bus.removeGroup('g1');
  });

  it('stopAll stops every output once; close detaches everything and is idempotent', async () => {
    const { bus, ready } = setup();
    ready();
    const a = new FakeOutput('a');
    const b = new FakeOutput('b');
    bus.add(a, { group: 'g1' });
    bus.add(b, { group: 'g1' });
    expect(() => bus.add(new FakeOutput('a'), { group: 'g1' })).toThrow();
    expect(() => bus.add(new FakeOutput('z'), { group: 'nope' })).toThrow();
    await bus.stopAll();
    await bus.stopAll();
    expect([a.stopped, b.stopped]).toEqual([1, 1]);
    expect(a.listenerCount('keyframeRequest')).toBe(0);
    expect(a.listenerCount('state')).toBe(0);
    bus.close();
    bus.close();
    expect(() => bus.add(new FakeOutput('c'), { group: 'g1' })).toThrow();
  });

});
