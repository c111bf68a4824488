// The studio's video path for e2e tests.
import type { StudioApi } from '../../src/shared/api';

/**
 * Switch the studio to the ffmpeg video path (the renderer sends raw I420 frames, libx264 in the
 * engine encodes). TEMPORARY: the studio's video encoding is moving into the renderer (WebCodecs);
 * until that lands, e2e tests call this before going live. Once it has landed, delete this
 * function's body (or its calls): it is the only line the tests need to lose.
 */
export async function useFfmpegVideoPath(api: StudioApi): Promise<void> {
  await api.updateSettings({ encoder: 'libx264' });
}
