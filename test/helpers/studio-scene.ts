// Building scenes in the studio for e2e tests: sources placed at known boxes through the API, and
// a media file picked the way a user does (the source's properties panel, its file input).
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import type { StudioApi } from '../../src/shared/api';
import type { SceneSource, Transform } from '../../src/shared/scene/model';
import { newSource } from '../../src/shared/scene/ops';
import { FFMPEG } from '../peers/proc';

export function box(x: number, y: number, width: number, height: number): Transform {
  return { x, y, width, height, rotation: 0, opacity: 1, crop: { left: 0, top: 0, right: 0, bottom: 0 } };
}

export async function activeScene(api: StudioApi): Promise<string> {
  return (await api.getState()).sceneDoc.activeSceneId;
}

/** The fake camera (a moving test pattern), without its microphone unless `withMic`. */
export async function addCamera(api: StudioApi, at: Transform, opts: { id?: string; withMic?: boolean } = {}): Promise<SceneSource> {
  const id = opts.id ?? 'cam';
  const source: SceneSource = {
    ...newSource('camera', id, 'Camera', 1280, 720),
    settings: { kind: 'camera', deviceId: '', audioDeviceId: opts.withMic ? '' : 'none' },
    transform: at,
  };
  await api.sceneOp({ op: 'addSource', sceneId: await activeScene(api), source });
  return source;
}

/**
 * A media source playing `file` (looped): added through the API, then the file chosen in its
 * properties panel (the page turns it into a blob: URL). Resolves once its sound reaches the mixer.
 */
export async function addMediaFile(page: Page, api: StudioApi, name: string, file: string, at: Transform): Promise<void> {
  const source: SceneSource = { ...newSource('media', `media-${name.replace(/\W/g, '')}`, name, 1280, 720), transform: at };
  await api.sceneOp({ op: 'addSource', sceneId: await activeScene(api), source });
  await page.locator('[data-testid=source-list] button.row', { hasText: name }).click();
  await page.locator('input[type=file]').setInputFiles(file);
  await page.locator('[data-testid=mixer] .channel', { hasText: name }).waitFor({ timeout: 15_000 });
}

/**
 * Writes a WebM (VP8 + a 440 Hz Opus tone at -49 dBFS RMS, under av-sync.ts's beep threshold) of detailed, moving pictures: ffmpeg's testsrc2
 * with fresh noise in every frame, small (320×180) so the page decodes it cheaply. Scaled up over
 * the program it gives the encoder content a broadcast scene has (a camera over a room) and the
 * fake camera lacks: the fake device's flat green picture encodes to ~0.2 Mbit/s at any target.
 */
export function writeDetailClip(path: string, seconds: number): void {
  const args = [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=30:d=${seconds},noise=alls=40:allf=t+u`,
    '-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${seconds},volume=0.005`,
    '-c:v', 'libvpx', '-b:v', '2M', '-deadline', 'realtime', '-c:a', 'libopus', '-b:a', '64k', path,
  ];
  const r = spawnSync(FFMPEG, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not write the detail clip: ${r.stderr.slice(-800)}`);
}
