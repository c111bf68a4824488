// Mixer edits: shown at once, sent as setAudio ops at a bounded rate, the last value always sent,
// and the document shown again once the engine has answered.
import { describe, expect, it } from 'vitest';
import { AudioEdits, type AudioPatch, type Timers } from '../../../src/renderer/src/audio-edits';

const DOC = { gainDb: 0, muted: false, syncOffsetMs: 0 };

function harness() {
  let now = 0;
  const due: { at: number; fn: () => void }[] = [];
  const timers: Timers = {
    set: (fn, ms) => {
      const t = { at: now + ms, fn };
      due.push(t);
      return t;
    },
    clear: (h) => {
      const i = due.indexOf(h as (typeof due)[number]);
      if (i >= 0) due.splice(i, 1);
    },
  };
  const sent: { sceneId: string; sourceId: string; patch: AudioPatch; resolve: () => void; reject: (e: Error) => void }[] = [];
  const errors: unknown[] = [];
  const edits = new AudioEdits(
    (sceneId, sourceId, patch) => new Promise<void>((resolve, reject) => sent.push({ sceneId, sourceId, patch, resolve, reject })),
    (e) => errors.push(e),
    100,
    timers,
    () => now,
  );
  const advance = (ms: number) => {
    now += ms;
    for (const t of [...due].sort((a, b) => a.at - b.at)) {
      if (t.at <= now) {
        due.splice(due.indexOf(t), 1);
        t.fn();
      }
    }
  };
  return { edits, sent, errors, advance };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('AudioEdits', () => {
  it('sends the first change at once and the latest of a burst after the interval', async () => {
    const h = harness();
    h.edits.set('s', 'mic', { gainDb: -1 });
    expect(h.sent.map((x) => x.patch)).toEqual([{ gainDb: -1 }]);
    for (let g = -2; g >= -12; g--) {
      h.advance(10);
      h.edits.set('s', 'mic', { gainDb: g });
    }
    // shown at once, before the engine has it
    expect(h.edits.view('s', 'mic', DOC).gainDb).toBe(-12);
    expect(h.sent).toHaveLength(2); // one more went out at +100 ms
    h.advance(200);
    expect(h.sent.at(-1)?.patch).toEqual({ gainDb: -12 });
    expect(h.sent.length).toBeLessThanOrEqual(3);
    for (const x of h.sent) x.resolve();
    await tick();
    // answered, but the page may not show the engine's new document yet: the override stays
    expect(h.edits.view('s', 'mic', DOC).gainDb).toBe(-12);
    // the next document rendered has it (the engine emits before it answers): the document shows again
    h.edits.docChanged();
    expect(h.edits.view('s', 'mic', DOC)).toEqual(DOC);
  });

  it('keeps fields of one source together and sources apart', () => {
    const h = harness();
    h.edits.set('s', 'mic', { muted: true });
    h.edits.set('s', 'clip', { gainDb: -3 });
    h.advance(20);
    h.edits.set('s', 'mic', { syncOffsetMs: 200 });
    h.advance(100);
    expect(h.sent.map((x) => [x.sourceId, x.patch])).toEqual([
      ['mic', { muted: true }],
      ['clip', { gainDb: -3 }],
      ['mic', { syncOffsetMs: 200 }],
    ]);
    expect(h.edits.view('s', 'mic', DOC)).toEqual({ gainDb: 0, muted: true, syncOffsetMs: 200 });
  });

  it('drops the override of a refused op (the document wins) and reports the error', async () => {
    const h = harness();
    h.edits.set('s', 'mic', { gainDb: 5 });
    h.sent[0]?.reject(new Error('no such source'));
    await tick();
    expect(h.edits.view('s', 'mic', DOC)).toEqual(DOC);
    expect(h.errors).toHaveLength(1);
  });

  it('keeps an override when a document arrives before the answer', async () => {
    const h = harness();
    h.edits.set('s', 'mic', { muted: true });
    h.edits.docChanged(); // e.g. the state event of the op, or of another change, rendered first
    expect(h.edits.view('s', 'mic', DOC).muted).toBe(true);
    h.sent[0]?.resolve();
    await tick();
    h.edits.docChanged();
    expect(h.edits.view('s', 'mic', DOC).muted).toBe(false);
  });

  it('keeps the override while a newer value is still on its way', async () => {
    const h = harness();
    h.edits.set('s', 'mic', { gainDb: -1 });
    h.advance(10);
    h.edits.set('s', 'mic', { gainDb: -2 });
    h.sent[0]?.resolve();
    await tick();
    h.edits.docChanged(); // the document of the first op
    expect(h.edits.view('s', 'mic', DOC).gainDb).toBe(-2);
    h.advance(100);
    h.sent[1]?.resolve();
    await tick();
    h.edits.docChanged();
    expect(h.edits.view('s', 'mic', DOC)).toEqual(DOC);
  });
});
