// The obs-websocket 5 endpoint against a real Studio, driven by obs-websocket-js (the client
// Companion and most Stream Deck plugins use): authentication, requests, batches, events.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSubscription } from 'obs-websocket-js/json';
import { rawClient, startRig, TappedOBS, wire, type Rig } from '../../helpers/obs-websocket';

const PASSWORD = 'correct horse battery staple';
const STREAM_KEY = 'live_8311_STREAMKEYdoNotLeak';

const b64sha = (s: string) => createHash('sha256').update(s).digest('base64');
const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: number; message?: string }) => ({ code: e.code, message: e.message }));

let rig: Rig | undefined;
const clients: TappedOBS[] = [];
async function connect(url: string, password?: string, params: { eventSubscriptions?: number } = {}): Promise<TappedOBS> {
  const obs = new TappedOBS();
  clients.push(obs);
  await obs.connect(url, password, params);
  return obs;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.disconnect();
  await rig?.close();
  rig = undefined;
});

afterAll(() => {
  // Every frame every client received in this file: no password, derived secret or stream key.
  expect(wire.length).toBeGreaterThan(50);
  for (const text of wire) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(STREAM_KEY);
  }
});

describe('obs-websocket: identification', () => {
  it('with a password: the right one identifies, a wrong one is closed with AuthenticationFailed (4009)', async () => {
    rig = await startRig({ password: PASSWORD });
    const hello = await rawClient(rig.url);
    const h = await hello.next(0);
    const auth = h.d.authentication as { salt: string; challenge: string };
    expect(auth.salt).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(auth.challenge).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // The published formula, computed here independently of the server and of obs-websocket-js.
    hello.send({ op: 1, d: { rpcVersion: 1, authentication: b64sha(b64sha(PASSWORD + auth.salt) + auth.challenge) } });
    expect((await hello.next()).op).toBe(2);
    hello.ws.close();

    const obs = await connect(rig.url, PASSWORD);
    expect(obs.identified).toBe(true);
    expect(await code(connect(rig.url, 'wrong password'))).toMatchObject({ code: 4009 });
    expect(await code(connect(rig.url))).toMatchObject({ code: 4009 }); // no authentication string at all
    const again = await rawClient(rig.url);
    const h2 = await again.next(0);
    expect((h2.d.authentication as { challenge: string }).challenge).not.toBe(auth.challenge); // fresh per connection
    again.send({ op: 1, d: { rpcVersion: 1, authentication: b64sha(b64sha(PASSWORD + auth.salt) + auth.challenge) } }); // replayed answer
    expect((await again.closed).code).toBe(4009);
  });

  it('without a password: Hello carries no authentication and Identify needs none', async () => {
    rig = await startRig();
    const c = await rawClient(rig.url);
    const h = await c.next(0);
    expect(h.d).toMatchObject({ rpcVersion: 1, obsWebSocketVersion: expect.stringMatching(/^5\.\d+\.\d+$/) });
    expect(h.d.authentication).toBeUndefined();
    c.ws.close();
    const obs = await connect(rig.url);
    expect(obs.identified).toBe(true);
  });

  it('lists connected clients for the Settings UI, and a kick ends the session with SessionInvalidated (4011)', async () => {
    rig = await startRig({ password: PASSWORD });
    const before = Date.now();
    await connect(rig.url, PASSWORD);
    const [info] = rig.server.clients();
    expect(info).toMatchObject({ address: '127.0.0.1', rpcVersion: 1 });
    expect(info?.identifiedAt).toBeGreaterThanOrEqual(before);
    expect(JSON.stringify(rig.server.clients())).not.toContain(PASSWORD);
    const closed = new Promise<number>((r) => clients[0]?.once('ConnectionClosed', (e) => r(e.code)));
    expect(rig.server.kick(info?.id ?? '')).toBe(true);
    expect(await closed).toBe(4011);
  });
});

describe('obs-websocket: requests', () => {
  it('GetVersion names the protocol level, the request list and the platform', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    const v = await obs.call('GetVersion');
    expect(v.obsWebSocketVersion).toMatch(/^5\.\d+\.\d+$/);
    expect(v.rpcVersion).toBe(1);
    expect(v.platform).toBe('linux');
    expect(v.supportedImageFormats).toEqual([]); // this rig has no program picture
    // Every request issue 15 lists.
    const listed = [
      'GetVersion', 'GetStats', 'GetSceneList', 'GetCurrentProgramScene', 'SetCurrentProgramScene', 'GetCurrentPreviewScene', 'SetCurrentPreviewScene',
      'GetStudioModeEnabled', 'SetStudioModeEnabled', 'TriggerStudioModeTransition', 'GetInputList', 'GetInputMute', 'SetInputMute', 'ToggleInputMute',
      'GetInputVolume', 'SetInputVolume', 'GetSceneItemList', 'GetSceneItemEnabled', 'SetSceneItemEnabled', 'GetSceneItemTransform', 'SetSceneItemTransform',
      'StartStream', 'StopStream', 'ToggleStream', 'GetStreamStatus', 'StartRecord', 'StopRecord', 'ToggleRecord', 'GetRecordStatus', 'GetSourceScreenshot', 'CallVendorRequest',
    ];
    for (const r of listed) expect(v.availableRequests).toContain(r);
    // Not claimed: nothing in Tandem backs them.
    for (const r of ['GetSourceFilterList', 'TriggerHotkeyByName', 'StartVirtualCam', 'SaveSourceScreenshot']) expect(v.availableRequests).not.toContain(r);
    const stats = await obs.call('GetStats');
    expect(stats.webSocketSessionIncomingMessages).toBeGreaterThanOrEqual(2);
    expect(typeof stats.cpuUsage).toBe('number');
  });

  it('switches scenes by name and by UUID, and every client hears CurrentProgramSceneChanged', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    const other = await connect(rig.url);
    const list = await obs.call('GetSceneList');
    expect(list.currentProgramSceneName).toBe('Main');
    expect(list.scenes.map((s) => [s.sceneIndex, s.sceneName])).toEqual([[0, 'Be right back'], [1, 'Main']]);
    const heard = new Promise((r) => other.once('CurrentProgramSceneChanged', r));
    await obs.call('SetCurrentProgramScene', { sceneName: 'Be right back' });
    expect(await heard).toEqual({ sceneName: 'Be right back', sceneUuid: 'scene-brb' });
    expect(rig.studio.getState().sceneDoc.activeSceneId).toBe('scene-brb');
    // The other way round: the Studio (its UI) switches, the client hears it.
    const back = new Promise((r) => obs.once('CurrentProgramSceneChanged', r));
    rig.studio.setActiveScene({ id: 'scene-main' });
    expect(await back).toEqual({ sceneName: 'Main', sceneUuid: 'scene-main' });
    await obs.call('SetCurrentProgramScene', { sceneUuid: 'scene-brb' });
    expect(await obs.call('GetCurrentProgramScene')).toMatchObject({ sceneName: 'Be right back', sceneUuid: 'scene-brb' });
  });

  it('answers ResourceNotFound (600) for a missing scene, UnknownRequestType (204) for the rest', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    expect(await code(obs.call('SetCurrentProgramScene', { sceneName: 'No such scene' }))).toMatchObject({ code: 600 });
    expect(await code(obs.call('GetSceneItemList', { sceneUuid: 'nope' }))).toMatchObject({ code: 600 });
    expect(await code(obs.callAny('MakeCoffee'))).toMatchObject({ code: 204 });
    expect(await code(obs.callAny('GetInputMute', { inputName: 'Title' }))).toMatchObject({ code: 604 }); // no sound
    expect(await code(obs.callAny('GetInputMute', { inputName: 'Nobody' }))).toMatchObject({ code: 600 });
    expect(await code(obs.callAny('StartVirtualCam'))).toMatchObject({ code: 204 });
    expect(await code(obs.callAny('__proto__'))).toMatchObject({ code: 204 });
    expect(await code(obs.callAny('CallVendorRequest', { vendorName: 'someone-else', requestType: 'X' }))).toMatchObject({ code: 600 });
  });

  it('wrong field types answer InvalidRequestFieldType (401) naming the field, and change nothing', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    const r1 = await code(obs.callAny('SetCurrentProgramScene', { sceneName: 42 }));
    expect(r1).toMatchObject({ code: 401, message: expect.stringContaining('`sceneName`') });
    const items = await obs.call('GetSceneItemList', { sceneName: 'Main' });
    const title = items.sceneItems.find((i) => i.sourceName === 'Title');
    const r2 = await code(obs.callAny('SetSceneItemEnabled', { sceneName: 'Main', sceneItemId: title?.sceneItemId, sceneItemEnabled: 'no' }));
    expect(r2).toMatchObject({ code: 401, message: expect.stringContaining('`sceneItemEnabled`') });
    const r3 = await code(obs.callAny('SetSceneItemEnabled', { sceneName: 'Main', sceneItemId: '1', sceneItemEnabled: false }));
    expect(r3).toMatchObject({ code: 401, message: expect.stringContaining('`sceneItemId`') });
    const r4 = await code(obs.callAny('SetSceneItemEnabled', { sceneName: 'Main', sceneItemEnabled: false }));
    expect(r4).toMatchObject({ code: 300, message: expect.stringContaining('`sceneItemId`') });
    expect(await code(obs.callAny('SetCurrentProgramScene', {}))).toMatchObject({ code: 300 });
    expect(await code(obs.callAny('SetCurrentProgramScene'))).toMatchObject({ code: 301 });
    expect(await code(obs.callAny('SetCurrentSceneTransitionDuration', { transitionDuration: 1e9 }))).toMatchObject({ code: 402 });
    expect(rig.studio.getState().sceneDoc.scenes[0]?.sources.every((s) => s.visible)).toBe(true);
    expect(rig.studio.getState().sceneDoc.activeSceneId).toBe('scene-main');
  });

  it('a RequestBatch of 5 with one failing: haltOnFailure stops there, without it all 5 run', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    const batch = [
      { requestType: 'GetVersion', requestId: 'a' },
      { requestType: 'SetCurrentProgramScene', requestData: { sceneName: 'Be right back' } },
      { requestType: 'SetCurrentProgramScene', requestData: { sceneName: 'Missing' } },
      { requestType: 'SetCurrentProgramScene', requestData: { sceneName: 'Main' } },
      { requestType: 'GetCurrentProgramScene' },
    ];
    const halted = await obs.batchAny(batch, { haltOnFailure: true });
    expect(halted.map((r) => r.requestStatus.code)).toEqual([100, 100, 600]);
    expect(halted[0]?.requestId).toBe('a');
    expect(rig.studio.getState().sceneDoc.activeSceneId).toBe('scene-brb'); // the 4th never ran
    const all = await obs.batchAny(batch, { haltOnFailure: false });
    expect(all.map((r) => r.requestStatus.code)).toEqual([100, 100, 600, 100, 100]);
    expect(all[4]?.responseData?.sceneName).toBe('Main');
    const parallel = await obs.batchAny(batch.slice(0, 3), { executionType: 2, haltOnFailure: true });
    expect(parallel.map((r) => r.requestType)).toEqual(['GetVersion', 'SetCurrentProgramScene', 'SetCurrentProgramScene']);
    // Batch variables: one request's response feeds the next one's field.
    const vars = await obs.batchAny([
      { requestType: 'SetCurrentProgramScene', requestData: { sceneName: 'Be right back' } },
      { requestType: 'GetCurrentProgramScene', outputVariables: { previous: 'sceneName' } },
      { requestType: 'SetCurrentProgramScene', requestData: { sceneName: 'Main' } },
      { requestType: 'Sleep', requestData: { sleepMillis: 20 } },
      { requestType: 'SetCurrentProgramScene', inputVariables: { sceneName: 'previous' } },
    ], { haltOnFailure: true });
    expect(vars.map((r) => r.requestStatus.code)).toEqual([100, 100, 100, 100, 100]);
    expect(rig.studio.getState().sceneDoc.activeSceneId).toBe('scene-brb');
    expect(await code(obs.callAny('Sleep', { sleepMillis: 1 }))).toMatchObject({ code: 206 });
  });

  it('scene items and inputs: list, look up, show and hide, with SceneItemEnableStateChanged', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    const { sceneItems } = await obs.call('GetSceneItemList', { sceneName: 'Main' });
    expect(sceneItems.map((i) => [i.sceneItemIndex, i.sourceName, i.inputKind])).toEqual([[0, 'Background', 'tandem_color'], [1, 'Title', 'tandem_text'], [2, 'Clock', 'tandem_clock']]);
    const { sceneItemId } = await obs.call('GetSceneItemId', { sceneName: 'Main', sourceName: 'Title' });
    expect(sceneItemId).toBe(sceneItems[1]?.sceneItemId);
    const heard = new Promise((r) => obs.once('SceneItemEnableStateChanged', r));
    await obs.call('SetSceneItemEnabled', { sceneName: 'Main', sceneItemId, sceneItemEnabled: false });
    expect(await heard).toEqual({ sceneName: 'Main', sceneUuid: 'scene-main', sceneItemId, sceneItemEnabled: false });
    expect(rig.studio.getState().sceneDoc.scenes[0]?.sources[1]?.visible).toBe(false);
    expect(await obs.call('GetSceneItemEnabled', { sceneName: 'Main', sceneItemId })).toEqual({ sceneItemEnabled: false });
    expect(await code(obs.call('GetSceneItemEnabled', { sceneName: 'Main', sceneItemId: 999 }))).toMatchObject({ code: 600 });
    const { inputs } = await obs.call('GetInputList');
    expect(inputs).toHaveLength(5);
    expect(inputs[0]).toMatchObject({ inputName: 'Background', inputUuid: 'scene-main/src-bg', inputKind: 'tandem_color', inputKindCaps: 1 });
    expect((await obs.call('GetInputList', { inputKind: 'tandem_text' })).inputs.map((i) => i.inputName)).toEqual(['Title', 'BRB text']);
  });

  it('honours eventSubscriptions per client and Reidentify changes them', async () => {
    rig = await startRig();
    const outputsOnly = await connect(rig.url, undefined, { eventSubscriptions: EventSubscription.Outputs });
    const everything = await connect(rig.url);
    const seen: string[] = [];
    outputsOnly.on('CurrentProgramSceneChanged', (e) => seen.push(e.sceneName));
    const first = new Promise((r) => everything.once('CurrentProgramSceneChanged', r));
    rig.studio.setActiveScene({ id: 'scene-brb' });
    await first;
    await outputsOnly.call('GetVersion'); // a round trip: anything sent before it has arrived
    expect(seen).toEqual([]);
    await outputsOnly.reidentify({ eventSubscriptions: EventSubscription.Scenes });
    const second = new Promise((r) => outputsOnly.once('CurrentProgramSceneChanged', r));
    rig.studio.setActiveScene({ id: 'scene-main' });
    await second;
    expect(seen).toEqual(['Main']);
  });
});

describe('obs-websocket: outputs and the tandem vendor', () => {
  it('stream and record requests map onto destinations and the recorder, with state events', async () => {
    rig = await startRig();
    rig.studio.updateSettings({ recordFolder: mkdtempSync(join(tmpdir(), 'tandem-obsws-')) });
    const obs = await connect(rig.url);
    const events: string[] = [];
    obs.on('StreamStateChanged', (e) => events.push(`stream ${e.outputState} ${e.outputActive}`));
    obs.on('RecordStateChanged', (e) => events.push(`record ${e.outputState} ${e.outputActive}`));
    expect(await code(obs.call('StartStream'))).toMatchObject({ code: 504 }); // no enabled destination
    expect(await code(obs.call('StopStream'))).toMatchObject({ code: 501 });
    expect(await obs.call('GetStreamStatus')).toMatchObject({ outputActive: false, outputReconnecting: false, outputTimecode: '00:00:00.000', outputBytes: 0 });
    expect(await code(obs.call('StopRecord'))).toMatchObject({ code: 501 });

    await obs.call('StartRecord');
    expect(await code(obs.call('StartRecord'))).toMatchObject({ code: 500 });
    expect(await obs.call('GetRecordStatus')).toMatchObject({ outputActive: true, outputPaused: false });
    const { outputPath } = await obs.call('StopRecord');
    expect(outputPath).toMatch(/tandem-obsws-.*\.mkv$/);

    await rig.studio.addDestination({ name: 'Nowhere', protocol: 'rtmp', url: 'rtmp://127.0.0.1:1/live', secret: STREAM_KEY });
    expect(await obs.call('ToggleStream')).toEqual({ outputActive: true });
    expect(rig.studio.getState().destinations[0]?.state).toBe('connecting');
    expect(await code(obs.call('StartStream'))).toMatchObject({ code: 500 });
    expect(await obs.call('ToggleStream')).toEqual({ outputActive: false });
    await obs.call('GetVersion'); // a round trip after the last state change
    expect(events).toEqual([
      'record OBS_WEBSOCKET_OUTPUT_STARTED true',
      'record OBS_WEBSOCKET_OUTPUT_STOPPED false',
      'stream OBS_WEBSOCKET_OUTPUT_STARTING false',
      'stream OBS_WEBSOCKET_OUTPUT_STOPPING false',
      'stream OBS_WEBSOCKET_OUTPUT_STOPPED false',
    ]);
  });

  it('tandem vendor requests list, start and stop destinations, and VendorEvents follow their state; no key anywhere', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    const vendorEvents: { eventType: string; eventData: Record<string, unknown> }[] = [];
    obs.on('VendorEvent', (e) => vendorEvents.push(e as never));
    const d = await rig.studio.addDestination({ name: 'Nowhere', protocol: 'rtmp', url: 'rtmp://127.0.0.1:1/live', secret: STREAM_KEY });
    const vendor = (requestType: string, requestData: Record<string, string> = {}) => obs.call('CallVendorRequest', { vendorName: 'tandem', requestType, requestData });
    const listed = await vendor('ListDestinations');
    expect(listed).toMatchObject({ vendorName: 'tandem', requestType: 'ListDestinations' });
    expect(listed.responseData).toMatchObject({ destinations: [{ id: d.id, name: 'Nowhere', hasSecret: true, state: 'idle' }] });
    expect(await code(vendor('StopDestination', { destinationName: 'Nowhere' }))).toMatchObject({ code: 501 });
    expect(await code(vendor('StartDestination', { destinationName: 'Elsewhere' }))).toMatchObject({ code: 600 });
    expect(await code(vendor('StartDestination'))).toMatchObject({ code: 300 });
    expect(await code(vendor('NoSuchThing'))).toMatchObject({ code: 600 });
    await vendor('StartDestination', { destinationId: d.id });
    const stats = (await vendor('GetDestinationStats', { destinationName: 'Nowhere' })).responseData as { stats: { id: string; url: string }[] };
    expect(stats.stats.map((s) => s.id)).toEqual([d.id]);
    await vendor('StopDestination', { destinationName: 'Nowhere' });
    await obs.call('GetVersion');
    const states = vendorEvents.filter((e) => e.eventType === 'DestinationStateChanged').map((e) => e.eventData.state);
    expect(states).toEqual(['connecting', 'stopping', 'stopped']);
    expect(vendorEvents[0]?.eventType).toBe('DestinationListChanged');
  });
});
