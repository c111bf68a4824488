// Inputs (protocol.md "Inputs" requests): the list, and the audio of those with a mixer channel
// (mute, volume, sync offset) through the Studio's setAudio op. See ../model.ts for the mapping.
import { SourceSettingsSchema } from '../../../../shared/scene/model';
import { RequestError } from '../fields';
import { findAudioInput, inputJson, inputKind, volumeJson } from '../model';
import { Status, type JsonObject } from '../protocol';
import type { RequestTable } from './table';

/** Tandem's mixer range (AudioSettingsSchema), dB. */
const MIN_DB = -60;
const MAX_DB = 20;
/** Tandem's sync offset range (AudioSettingsSchema), ms. */
const MAX_SYNC_MS = 2000;

export const inputRequests: RequestTable = {
  GetInputList: (f, { engine }) => {
    const kind = f.optString('inputKind');
    const inputs: JsonObject[] = [];
    for (const scene of engine.getState().sceneDoc.scenes) {
      for (const source of scene.sources) {
        const input = inputJson(scene, source);
        if (kind === undefined || input.inputKind === kind) inputs.push(input);
      }
    }
    return { inputs };
  },

  GetInputKindList: () => ({ inputKinds: SourceSettingsSchema.options.map((o) => inputKind(o.shape.kind.value)) }),

  // Tandem has no desktop-audio or mic/aux globals: every sound belongs to a source.
  GetSpecialInputs: () => ({ desktop1: null, desktop2: null, mic1: null, mic2: null, mic3: null, mic4: null }),

  GetInputMute: (f, { engine }) => ({ inputMuted: findAudioInput(engine.getState().sceneDoc, f).audio.muted }),

  SetInputMute: async (f, { engine }) => {
    const { scene, source } = findAudioInput(engine.getState().sceneDoc, f);
    const muted = f.boolean('inputMuted');
    await engine.sceneOp({ op: 'setAudio', sceneId: scene.id, sourceId: source.id, audio: { muted } });
    return undefined;
  },

  ToggleInputMute: async (f, { engine }) => {
    const { scene, source, audio } = findAudioInput(engine.getState().sceneDoc, f);
    const muted = !audio.muted;
    await engine.sceneOp({ op: 'setAudio', sceneId: scene.id, sourceId: source.id, audio: { muted } });
    return { inputMuted: muted };
  },

  GetInputVolume: (f, { engine }) => volumeJson(findAudioInput(engine.getState().sceneDoc, f).audio.gainDb),

  SetInputVolume: async (f, { engine }) => {
    const { scene, source } = findAudioInput(engine.getState().sceneDoc, f);
    // The protocol's ranges first (mul 0…20, dB -100…26), then Tandem's narrower mixer range.
    const mul = f.optNumber('inputVolumeMul', { min: 0, max: 20 });
    const db = f.optNumber('inputVolumeDb', { min: -100, max: 26 });
    if (mul !== undefined && db !== undefined) throw new RequestError(Status.TooManyRequestFields, 'You may only specify one volume field.');
    if (mul === undefined && db === undefined) throw new RequestError(Status.MissingRequestField, 'You must specify one volume field.');
    const gainDb = db ?? 20 * Math.log10(mul ?? 1);
    if (!(gainDb >= MIN_DB - 1e-9 && gainDb <= MAX_DB + 1e-9)) {
      const field = db === undefined ? 'inputVolumeMul' : 'inputVolumeDb';
      throw new RequestError(Status.RequestFieldOutOfRange, `The field value of \`${field}\` is outside Tandem's mixer range, ${MIN_DB} to +${MAX_DB} dB (mul ${10 ** (MIN_DB / 20)} to ${10 ** (MAX_DB / 20)}).`);
    }
    const clamped = Math.min(MAX_DB, Math.max(MIN_DB, gainDb));
    await engine.sceneOp({ op: 'setAudio', sceneId: scene.id, sourceId: source.id, audio: { gainDb: clamped } });
    return undefined;
  },

  GetInputAudioSyncOffset: (f, { engine }) => ({ inputAudioSyncOffset: findAudioInput(engine.getState().sceneDoc, f).audio.syncOffsetMs }),

  SetInputAudioSyncOffset: async (f, { engine }) => {
    const { scene, source } = findAudioInput(engine.getState().sceneDoc, f);
    const ms = f.number('inputAudioSyncOffset', { min: -950, max: 20_000 });
    if (ms < 0 || ms > MAX_SYNC_MS) {
      throw new RequestError(Status.RequestFieldOutOfRange, `The field value of \`inputAudioSyncOffset\` is outside Tandem's range, 0 to ${MAX_SYNC_MS} ms (Tandem only delays sound).`);
    }
    await engine.sceneOp({ op: 'setAudio', sceneId: scene.id, sourceId: source.id, audio: { syncOffsetMs: Math.round(ms) } });
    return undefined;
  },
};
