// The desktop app's picker, renderer side, against a double of the preload bridge: the shell's
// message is checked, screens and windows are grouped, and every request gets exactly one answer
// (the choice, or null for cancel).
import { describe, expect, it } from 'vitest';
import { PickerController, groupSources, parseDisplayRequest, pickerBridge, type PickerBridge } from '../../../src/renderer/src/display-picker';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

function bridgeDouble() {
  let listener: ((msg: unknown) => void) | undefined;
  const answers: { requestId: number; sourceId: string | null }[] = [];
  const bridge: PickerBridge = {
    onDisplaySources(fn) {
      listener = fn;
      return () => (listener = undefined);
    },
    chooseDisplaySource(choice) {
      answers.push(choice);
      return Promise.resolve(true);
    },
  };
  return { bridge, answers, send: (msg: unknown) => listener?.(msg), subscribed: () => listener !== undefined };
}

const request = (requestId: number) => ({
  requestId,
  sources: [
    { id: 'window:12:0', name: 'Editor', kind: 'window', thumbnail: PNG },
    { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: PNG },
    { id: 'screen:1:0', name: 'Screen 2', kind: 'screen', thumbnail: '' },
  ],
});

describe('display picker', () => {
  it('checks the shell’s message and groups screens before windows', () => {
    const req = parseDisplayRequest(request(3));
    expect(req?.requestId).toBe(3);
    const g = groupSources(req?.sources ?? []);
    expect(g.screens.map((s) => s.name)).toEqual(['Entire screen', 'Screen 2']);
    expect(g.windows.map((s) => s.name)).toEqual(['Editor']);
    expect(parseDisplayRequest({ requestId: 'x', sources: [] })).toBeNull();
    expect(parseDisplayRequest(null)).toBeNull();
    const odd = parseDisplayRequest({ requestId: 1, sources: [{ id: 'screen:2:0', name: 'S', thumbnail: 'https://evil.example/x.png' }, { id: '', name: 'no id' }, 7] });
    // kind from the id when missing; never a remote thumbnail; malformed entries dropped
    expect(odd?.sources).toEqual([{ id: 'screen:2:0', name: 'S', kind: 'screen', thumbnail: '' }]);
  });

  it('finds the picker half of window.tandem only when it is there', () => {
    expect(pickerBridge(undefined)).toBeNull();
    expect(pickerBridge({ onEvent: () => () => undefined })).toBeNull();
    expect(pickerBridge(bridgeDouble().bridge)).not.toBeNull();
  });

  it('sends the chosen source back with its request id', () => {
    const d = bridgeDouble();
    const ctl = new PickerController(d.bridge);
    let changes = 0;
    ctl.subscribe(() => changes++);
    d.send(request(7));
    expect(ctl.current()?.sources).toHaveLength(3);
    ctl.choose('not-offered'); // ignored
    expect(d.answers).toEqual([]);
    ctl.choose('window:12:0');
    expect(d.answers).toEqual([{ requestId: 7, sourceId: 'window:12:0' }]);
    expect(ctl.current()).toBeNull();
    expect(changes).toBe(2);
    ctl.cancel(); // nothing open: no second answer
    expect(d.answers).toHaveLength(1);
  });

  it('answers null on cancel, when a new request replaces an open one, and on dispose', () => {
    const d = bridgeDouble();
    const ctl = new PickerController(d.bridge);
    d.send(request(1));
    ctl.cancel();
    d.send(request(2));
    d.send(request(3)); // the shell asked again: the old request is refused
    expect(ctl.current()?.requestId).toBe(3);
    d.send({ bogus: true }); // ignored, the open request stays
    expect(ctl.current()?.requestId).toBe(3);
    ctl.dispose();
    expect(d.answers).toEqual([
      { requestId: 1, sourceId: null },
      { requestId: 2, sourceId: null },
      { requestId: 3, sourceId: null },
    ]);
    expect(d.subscribed()).toBe(false);
  });
});
