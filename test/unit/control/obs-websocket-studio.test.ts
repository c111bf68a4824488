// The obs-websocket requests and events for studio mode, the mixer, scene-item transforms and
// screenshots, against a real Studio, driven by obs-websocket-js. Screenshots come from the
// program picture as the studio page would send it (raw I420 or WebCodecs H.264 chunks), here
// pushed through the same media endpoint tap, and are decoded back with ffmpeg.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { decodeDataUrl, meanRgb, startRig, TappedOBS, type Rig } from '../../helpers/obs-websocket';
import { Studio } from '../../../src/main/studio/studio';
import { ProgramPicture } from '../../../src/main/studio/program-picture';
import { newSource } from '../../../src/shared/scene/ops';
import type { MediaChannel, MediaEndpoint, MediaMessage } from '../../../src/shared/media-wire';
import { splitAnnexB, nalusToAvcc } from '../../../src/main/protocol/h264/annexb';
import { NalType, nalType } from '../../../src/main/protocol/h264/nal';
import { buildAvcDecoderConfigurationRecord } from '../../../src/main/protocol/h264/avcc';

const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: number; message?: string }) => ({ code: e.code, message: e.message }));

let rig: Rig | undefined;
const clients: TappedOBS[] = [];
async function connect(url: string): Promise<TappedOBS> {
  const obs = new TappedOBS();
  clients.push(obs);
  await obs.connect(url);
  return obs;
}
afterEach(async () => {
  for (const c of clients.splice(0)) await c.disconnect();
  await rig?.close();
  rig = undefined;
});

/** A studio whose Main scene also has a microphone and a camera (both with a mixer channel). */
function studioWithSound(): Studio {
  const studio = new Studio({ mode: 'headless' });
  studio.sceneOp({ op: 'addSource', sceneId: 'scene-main', source: newSource('microphone', 'mic', 'Mic', 1280, 720) });
  studio.sceneOp({ op: 'addSource', sceneId: 'scene-main', source: newSource('camera', 'cam', 'Camera', 1280, 720) });
  studio.sceneOp({ op: 'addSource', sceneId: 'scene-brb', source: newSource('microphone', 'mic', 'Mic', 1280, 720) });
  return studio;
}

describe('obs-websocket: studio mode', () => {
  it('turns on, previews, transitions and turns off, with the events OBS sends', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    const events: string[] = [];
    obs.on('StudioModeStateChanged', (e) => events.push(`studio ${e.studioModeEnabled}`));
    obs.on('CurrentPreviewSceneChanged', (e) => events.push(`preview ${e.sceneName}`));
    obs.on('CurrentProgramSceneChanged', (e) => events.push(`program ${e.sceneName}`));
    expect(await obs.call('GetStudioModeEnabled')).toEqual({ studioModeEnabled: false });
    expect(await code(obs.call('GetCurrentPreviewScene'))).toMatchObject({ code: 506 });
    expect(await code(obs.call('SetCurrentPreviewScene', { sceneName: 'Be right back' }))).toMatchObject({ code: 506 });
    expect(await code(obs.call('TriggerStudioModeTransition'))).toMatchObject({ code: 506 });
    expect((await obs.call('GetSceneList')).currentPreviewSceneName).toBeNull();

    await obs.call('SetStudioModeEnabled', { studioModeEnabled: true });
    expect(await obs.call('GetCurrentPreviewScene')).toMatchObject({ sceneName: 'Main', sceneUuid: 'scene-main' });
    await obs.call('SetCurrentPreviewScene', { sceneName: 'Be right back' });
    expect(rig.studio.getState().sceneDoc.studioMode).toMatchObject({ enabled: true, previewSceneId: 'scene-brb' });
    expect(rig.studio.getState().sceneDoc.activeSceneId).toBe('scene-main'); // program untouched
    expect(await code(obs.call('SetCurrentPreviewScene', { sceneName: 'Nowhere' }))).toMatchObject({ code: 600 });
    expect((await obs.call('GetSceneList')).currentPreviewSceneName).toBe('Be right back');
    await obs.call('TriggerStudioModeTransition');
    expect(rig.studio.getState().sceneDoc.activeSceneId).toBe('scene-brb');
    await obs.call('SetStudioModeEnabled', { studioModeEnabled: true }); // already on: nothing happens
    await obs.call('SetStudioModeEnabled', { studioModeEnabled: false });
    expect(await code(obs.callAny('SetStudioModeEnabled', { studioModeEnabled: 1 }))).toMatchObject({ code: 401, message: expect.stringContaining('`studioModeEnabled`') });
    await obs.call('GetVersion');
    // swap is on by default: after the transition the old program (Main) is the preview.
    expect(events).toEqual(['studio true', 'preview Main', 'preview Be right back', 'program Be right back', 'preview Main', 'studio false']);
  });
});

describe('obs-websocket: the mixer', () => {
  it('mutes, sets the volume and the sync offset of an input; events follow; the scene document changes', async () => {
    rig = await startRig({}, studioWithSound());
    const obs = await connect(rig.url);
    const heard: unknown[] = [];
    obs.on('InputMuteStateChanged', (e) => heard.push(e));
    obs.on('InputVolumeChanged', (e) => heard.push(e));
    const mic = () => rig?.studio.getState().sceneDoc.scenes[0]?.sources.find((s) => s.id === 'mic')?.audio;
    expect(await obs.call('GetInputMute', { inputName: 'Mic' })).toEqual({ inputMuted: false });
    await obs.call('SetInputMute', { inputName: 'Mic', inputMuted: true });
    expect(mic()?.muted).toBe(true);
    // The program scene's Mic, not the one of the same name in Be right back.
    expect(rig.studio.getState().sceneDoc.scenes[1]?.sources.find((s) => s.id === 'mic')?.audio?.muted).toBe(false);
    expect(await obs.call('ToggleInputMute', { inputUuid: 'scene-main/mic' })).toEqual({ inputMuted: false });
    expect(mic()?.muted).toBe(false);

    await obs.call('SetInputVolume', { inputName: 'Mic', inputVolumeDb: -12 });
    expect(mic()?.gainDb).toBe(-12);
    await obs.call('SetInputVolume', { inputName: 'Mic', inputVolumeMul: 0.5 });
    expect(mic()?.gainDb).toBeCloseTo(-6.0206, 3);
    const vol = await obs.call('GetInputVolume', { inputName: 'Mic' });
    expect(vol.inputVolumeMul).toBeCloseTo(0.5, 6);
    expect(vol.inputVolumeDb).toBeCloseTo(-6.0206, 3);

    await obs.callAny('SetInputAudioSyncOffset', { inputName: 'Mic', inputAudioSyncOffset: 120 });
    expect(mic()?.syncOffsetMs).toBe(120);
    expect(await obs.callAny('GetInputAudioSyncOffset', { inputName: 'Mic' })).toEqual({ inputAudioSyncOffset: 120 });

    // Bad input: typed statuses naming the field; nothing changes.
    const before = JSON.stringify(mic());
    expect(await code(obs.callAny('SetInputMute', { inputName: 'Mic', inputMuted: 'yes' }))).toMatchObject({ code: 401, message: expect.stringContaining('`inputMuted`') });
    expect(await code(obs.callAny('SetInputVolume', { inputName: 'Mic', inputVolumeDb: '-3' }))).toMatchObject({ code: 401, message: expect.stringContaining('`inputVolumeDb`') });
    expect(await code(obs.call('SetInputVolume', { inputName: 'Mic', inputVolumeDb: -80 }))).toMatchObject({ code: 402, message: expect.stringContaining('`inputVolumeDb`') });
    expect(await code(obs.call('SetInputVolume', { inputName: 'Mic', inputVolumeMul: 0 }))).toMatchObject({ code: 402, message: expect.stringContaining('`inputVolumeMul`') });
    expect(await code(obs.call('SetInputVolume', { inputName: 'Mic', inputVolumeDb: -3, inputVolumeMul: 1 }))).toMatchObject({ code: 404 });
    expect(await code(obs.call('SetInputVolume', { inputName: 'Mic' }))).toMatchObject({ code: 300 });
    expect(await code(obs.callAny('SetInputAudioSyncOffset', { inputName: 'Mic', inputAudioSyncOffset: -100 }))).toMatchObject({ code: 402 });
    expect(await code(obs.call('SetInputMute', { inputName: 'Title', inputMuted: true }))).toMatchObject({ code: 604 }); // a text source has no sound
    expect(await code(obs.call('SetInputMute', { inputName: 'Nobody', inputMuted: true }))).toMatchObject({ code: 600 });
    expect(JSON.stringify(mic())).toBe(before);

    await obs.call('GetVersion');
    expect(heard).toEqual([
      { inputName: 'Mic', inputUuid: 'scene-main/mic', inputMuted: true },
      { inputName: 'Mic', inputUuid: 'scene-main/mic', inputMuted: false },
      { inputName: 'Mic', inputUuid: 'scene-main/mic', inputVolumeMul: expect.closeTo(10 ** (-12 / 20), 6), inputVolumeDb: -12 },
      { inputName: 'Mic', inputUuid: 'scene-main/mic', inputVolumeMul: expect.closeTo(0.5, 6), inputVolumeDb: expect.closeTo(-6.0206, 3) },
    ]);
    // Caps: the microphone has sound only, the camera both, the text picture only.
    const { inputs } = await obs.call('GetInputList');
    const caps = Object.fromEntries(inputs.map((i) => [String(i.inputUuid), i.inputKindCaps]));
    expect(caps).toMatchObject({ 'scene-main/mic': 2, 'scene-main/cam': 3, 'scene-main/src-title': 1 });
  });
});

describe('obs-websocket: scene-item transforms', () => {
  it('reads a Tandem box as stretch bounds, sets position, bounds, rotation and crop, and refuses what it cannot do', async () => {
    rig = await startRig();
    const obs = await connect(rig.url);
    const { sceneItemId } = await obs.call('GetSceneItemId', { sceneName: 'Main', sourceName: 'Title' });
    const title = () => rig?.studio.getState().sceneDoc.scenes[0]?.sources.find((s) => s.id === 'src-title');
    const t0 = title()?.transform;
    const { sceneItemTransform } = await obs.call('GetSceneItemTransform', { sceneName: 'Main', sceneItemId });
    expect(sceneItemTransform).toMatchObject({ positionX: t0?.x, positionY: t0?.y, boundsType: 'OBS_BOUNDS_STRETCH', boundsWidth: t0?.width, boundsHeight: t0?.height, scaleX: 1, alignment: 5 });
    // What was read can be written back unchanged (a client's read-modify-write).
    await obs.call('SetSceneItemTransform', { sceneName: 'Main', sceneItemId, sceneItemTransform });
    expect(title()?.transform).toEqual(t0);
    const moved = new Promise((r) => obs.once('SceneItemTransformChanged', r));
    await obs.reidentify({ eventSubscriptions: 0x3ff | (1 << 19) });
    await obs.call('SetSceneItemTransform', { sceneName: 'Main', sceneItemId, sceneItemTransform: { positionX: 40, positionY: 30, boundsWidth: 640, boundsHeight: 100, rotation: 370, cropLeft: 4 } });
    expect(title()?.transform).toMatchObject({ x: 40, y: 30, width: 640, height: 100, rotation: 10, crop: { left: 4, top: 0, right: 0, bottom: 0 } });
    expect(await moved).toMatchObject({ sceneName: 'Main', sceneItemId, sceneItemTransform: { positionX: 40, boundsWidth: 640 } });

    const after = JSON.stringify(title()?.transform);
    const set = (sceneItemTransform: object) => code(obs.callAny('SetSceneItemTransform', { sceneName: 'Main', sceneItemId, sceneItemTransform }));
    expect(await set({ positionX: 1, positionY: 'up' })).toMatchObject({ code: 401, message: expect.stringContaining('`positionY`') });
    expect(await set({ positionX: 1, boundsWidth: 0 })).toMatchObject({ code: 402, message: expect.stringContaining('`boundsWidth`') });
    expect(await set({ positionX: 1, scaleX: 2 })).toMatchObject({ code: 400, message: expect.stringContaining('`scaleX`') });
    expect(await set({ positionX: 1, boundsType: 'OBS_BOUNDS_NONE' })).toMatchObject({ code: 400, message: expect.stringContaining('`boundsType`') });
    expect(await set({ positionX: 1, cropTop: 1.5 })).toMatchObject({ code: 401, message: expect.stringContaining('`cropTop`') });
    expect(await code(obs.callAny('SetSceneItemTransform', { sceneName: 'Main', sceneItemId, sceneItemTransform: 'left' }))).toMatchObject({ code: 401 });
    expect(await code(obs.callAny('SetSceneItemTransform', { sceneName: 'Main', sceneItemId: 999, sceneItemTransform: { positionX: 1 } }))).toMatchObject({ code: 600 });
    rig.studio.sceneOp({ op: 'setLocked', sceneId: 'scene-main', sourceId: 'src-title', locked: true });
    expect(await set({ positionX: 1 })).toMatchObject({ code: 604 });
    expect(JSON.stringify(title()?.transform)).toBe(after); // nothing half-applied
  });
});

// ── screenshots ──────────────────────────────────────────────────────────────

/** A media endpoint standing in for the Studio's: the test pushes what a studio page would. */
function pageChannel(pictures: ProgramPicture): MediaChannel {
  const endpoint: MediaEndpoint = { attachMediaChannel: () => ({ push: () => undefined, closed: () => undefined }) };
  return pictures.tap(endpoint).attachMediaChannel(() => undefined);
}

/** A solid I420 frame: Y, then U and V planes (BT.601 limited-range values for the colour). */
function i420(width: number, height: number, [y, u, v]: [number, number, number]): MediaMessage {
  const data = new Uint8Array(width * height * 1.5);
  data.fill(y, 0, width * height);
  data.fill(u, width * height, width * height * 1.25);
  data.fill(v, width * height * 1.25);
  return { kind: 'video', width, height, captureTimeUs: 0, data };
}

/** Five access units of libx264 (4 red, then 1 blue), as WebCodecs would deliver them: avcC + AVCC chunks. */
function webCodecsGop(): MediaMessage[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=160x90:r=10:d=0.4[a];color=c=blue:s=160x90:r=10:d=0.1[b];[a][b]concat=n=2:v=1:a=0', '-c:v', 'libx264', '-bf', '0', '-g', '100', '-pix_fmt', 'yuv420p', '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', 'pipe:1'], { maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  const aus: Uint8Array[][] = [];
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  for (const n of splitAnnexB(new Uint8Array(r.stdout))) {
    const t = nalType(n);
    if (t === NalType.AUD) aus.push([]);
    else if (t === NalType.SPS) sps = n;
    else if (t === NalType.PPS) pps = n;
    else aus[aus.length - 1]?.push(n);
  }
  if (!sps || !pps) throw new Error('no SPS/PPS');
  const msgs: MediaMessage[] = [{ kind: 'config', group: 7, data: buildAvcDecoderConfigurationRecord([sps], [pps]) }];
  for (const au of aus) msgs.push({ kind: 'chunk', group: 7, keyframe: au.some((n) => nalType(n) === NalType.IDR), encodeUs: 0, captureTimeUs: 0, data: nalusToAvcc(au) });
  return msgs;
}

describe('obs-websocket: GetSourceScreenshot', () => {
  it('no picture while nothing is captured; other scenes and inputs are refused with the reason', async () => {
    let now = 0;
    const pictures = new ProgramPicture({ now: () => now });
    rig = await startRig({ pictures });
    const obs = await connect(rig.url);
    expect((await obs.call('GetVersion')).supportedImageFormats).toEqual(['png', 'jpg', 'jpeg']);
    expect(await code(obs.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'png' }))).toMatchObject({ code: 604, message: expect.stringContaining('live or recording') });
    pageChannel(pictures).push(i420(64, 36, [81, 90, 240]));
    expect(await code(obs.call('GetSourceScreenshot', { sourceName: 'Be right back', imageFormat: 'png' }))).toMatchObject({ code: 604, message: expect.stringContaining('program') });
    expect(await code(obs.call('GetSourceScreenshot', { sourceName: 'Title', imageFormat: 'png' }))).toMatchObject({ code: 604 });
    expect(await code(obs.call('GetSourceScreenshot', { sourceName: 'Nothing', imageFormat: 'png' }))).toMatchObject({ code: 600 });
    expect(await code(obs.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'gif' }))).toMatchObject({ code: 400 });
    expect(await code(obs.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'png', imageWidth: 4 }))).toMatchObject({ code: 402, message: expect.stringContaining('`imageWidth`') });
    expect(await code(obs.callAny('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'png', imageHeight: '40' }))).toMatchObject({ code: 401, message: expect.stringContaining('`imageHeight`') });
    now = 3001; // the page stopped sending 3 s ago: that picture is no longer the program
    expect(await code(obs.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'png' }))).toMatchObject({ code: 604, message: expect.stringContaining('live or recording') });
  });

  it('asks the studio page for the program when none is fresh, waits for it, and lets go after the last screenshot', async () => {
    const asked: boolean[] = [];
    const pictures = new ProgramPicture({ demand: (w) => asked.push(w), waitMs: 3000, warmMs: 300 });
    rig = await startRig({ pictures });
    const obs = await connect(rig.url);
    const page = pageChannel(pictures);
    const shot = obs.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'png', imageWidth: 64, imageHeight: 36 });
    await vi.waitFor(() => expect(asked).toEqual([true]));
    page.push(i420(128, 72, [81, 90, 240])); // the page answers with the program
    const png = decodeDataUrl((await shot).imageData);
    expect([png.codec, png.width, png.height]).toEqual(['png', 64, 36]);
    expect(meanRgb(png)[0]).toBeGreaterThan(200);
    await vi.waitFor(() => expect(asked).toEqual([true, false]), { timeout: 2000 }); // 300 ms after the last one
    pictures.close();

    // A page that never sends: the screenshot gives up after waitMs with the reason.
    const silent = new ProgramPicture({ demand: () => undefined, waitMs: 300, warmMs: 300 });
    await rig.close();
    rig = await startRig({ pictures: silent });
    const obs2 = await connect(rig.url);
    const t0 = performance.now();
    expect(await code(obs2.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'png' }))).toMatchObject({ code: 604, message: expect.stringContaining('no program picture within 0.3 s') });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    silent.close();
  });

  it('the program from raw frames: PNG and JPEG at the size asked for, the colour sent', async () => {
    const pictures = new ProgramPicture({ now: () => 0 }); // a still clock: the frames stay fresh however slow ffmpeg is here
    rig = await startRig({ pictures });
    const obs = await connect(rig.url);
    const page = pageChannel(pictures);
    page.push(i420(128, 72, [145, 54, 34])); // green
    page.push(i420(128, 72, [81, 90, 240])); // red: the newest
    const png = decodeDataUrl((await obs.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'png', imageWidth: 320, imageHeight: 180 })).imageData);
    expect([png.codec, png.width, png.height]).toEqual(['png', 320, 180]);
    const [r, g, b] = meanRgb(png);
    expect(r).toBeGreaterThan(200);
    expect(g + b).toBeLessThan(80);
    const jpg = decodeDataUrl((await obs.call('GetSourceScreenshot', { sourceUuid: 'scene-main', imageFormat: 'jpg', imageWidth: 100, imageCompressionQuality: 50 })).imageData);
    expect([jpg.codec, jpg.width, jpg.height]).toEqual(['mjpeg', 100, 56]); // the height follows the aspect ratio
    const full = decodeDataUrl((await obs.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'jpeg' })).imageData);
    expect([full.width, full.height]).toEqual([128, 72]);
  });

  it('the program from WebCodecs chunks: the newest picture of the GOP, decoded', async () => {
    const pictures = new ProgramPicture({ now: () => 0 });
    rig = await startRig({ pictures });
    const obs = await connect(rig.url);
    const page = pageChannel(pictures);
    for (const m of webCodecsGop()) page.push(m);
    const img = decodeDataUrl((await obs.call('GetSourceScreenshot', { sourceName: 'Main', imageFormat: 'png', imageWidth: 80, imageHeight: 45 })).imageData);
    expect([img.width, img.height]).toEqual([80, 45]);
    const [r, , b] = meanRgb(img);
    expect(b).toBeGreaterThan(180); // the last (blue) access unit, not the red keyframe
    expect(r).toBeLessThan(60);
  });
});
