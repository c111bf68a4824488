// What the mixer should do, from the scene document alone (pure, unit-tested): which sources of
// the program scene have a mixer channel, and the gain and delay each channel applies. The
// document is the source of truth for gain, mute and sync offset (setAudio ops); the mixer only
// follows it, so the settings survive a reload and an engine restart.
import { AUDIO_KINDS, defaultAudio, type AudioSettings, type SceneDoc, type SourceKind } from '../../../shared/scene/model';

export interface AudioStrip {
  sceneId: string;
  sourceId: string;
  name: string;
  kind: SourceKind;
  visible: boolean;
  audio: AudioSettings;
}

/** The mixer strips: every source with sound in the program scene, bottom of the stack first. */
export function programStrips(doc: SceneDoc): AudioStrip[] {
  const scene = doc.scenes.find((s) => s.id === doc.activeSceneId);
  if (!scene) return [];
  return scene.sources
    .filter((s) => AUDIO_KINDS.has(s.settings.kind))
    .map((s) => ({ sceneId: scene.id, sourceId: s.id, name: s.name, kind: s.settings.kind, visible: s.visible, audio: s.audio ?? defaultAudio() }));
}

/** Longest sync offset the delay line holds, seconds (the scene schema allows 0..2000 ms). */
export const MAX_DELAY_SEC = 2;
const FLOOR_DB = -90;

export const fromDb = (db: number): number => (db <= FLOOR_DB ? 0 : 10 ** (db / 20));

export interface ChannelParams {
  /** Linear gain of the channel's fader (0 when muted or not heard). */
  gain: number;
  /** Delay before the fader, seconds. */
  delaySec: number;
}

/**
 * A channel is heard (reaches the master bus) only while its source is visible in the program
 * scene, as in OBS. The meters read after the fader, so a muted channel shows no level.
 */
export function channelParams(audio: AudioSettings, heard: boolean): ChannelParams {
  const gain = !heard || audio.muted ? 0 : fromDb(audio.gainDb);
  const delaySec = Math.max(0, Math.min(MAX_DELAY_SEC, audio.syncOffsetMs / 1000));
  return { gain, delaySec };
}

/** Settings to use instead of the document's (a fader being moved, not yet confirmed by the engine). */
export type AudioView = (sceneId: string, sourceId: string, doc: AudioSettings) => AudioSettings;

/** Channel settings of the program scene's sources; every other channel is silent. */
export function mixerTargets(doc: SceneDoc, view?: AudioView): Map<string, ChannelParams> {
  const out = new Map<string, ChannelParams>();
  for (const strip of programStrips(doc)) {
    const audio = view ? view(strip.sceneId, strip.sourceId, strip.audio) : strip.audio;
    out.set(strip.sourceId, channelParams(audio, strip.visible));
  }
  return out;
}
