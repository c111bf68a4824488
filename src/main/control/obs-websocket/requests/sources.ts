// Sources (protocol.md "Sources" requests): whether a scene or input is on air, and screenshots.
//
// GetSourceScreenshot: Tandem composites in the studio page (WebGL); the engine has no picture of
// its own. What reaches it is the program as the studio page sends it while live or recording
// (raw frames on the ffmpeg path, encoded chunks on the WebCodecs path), so a screenshot is that
// picture (ctx.pictures: studio/program-picture.ts), scaled and encoded by ffmpeg. Other scenes,
// and the program while nothing is captured, answer InvalidResourceState with the reason, never a
// made-up image.
import { Fields, RequestError } from '../fields';
import { findInput } from '../model';
import { Status } from '../protocol';
import type { RequestTable } from './table';

/** What imageFormat may be (as obs-websocket names Qt's formats), and its MIME type. */
export const IMAGE_FORMATS: Readonly<Record<string, { format: 'png' | 'jpeg'; mime: string }>> = {
  png: { format: 'png', mime: 'image/png' },
  jpg: { format: 'jpeg', mime: 'image/jpeg' },
  jpeg: { format: 'jpeg', mime: 'image/jpeg' },
};

function findSource(f: Fields, doc: Parameters<typeof findInput>[0]) {
  const { key, value } = f.oneOf('sourceName', 'sourceUuid');
  const scene = doc.scenes.find((s) => (key === 'sourceUuid' ? s.id === value : s.name === value));
  if (scene) return { scene } as const;
  const input = findInput(doc, new Fields(key === 'sourceUuid' ? { inputUuid: value } : { inputName: value }));
  return { input } as const;
}

export const sourceRequests: RequestTable = {
  GetSourceActive: (f, { engine }) => {
    const doc = engine.getState().sceneDoc;
    const found = findSource(f, doc);
    const preview = doc.studioMode.enabled ? doc.studioMode.previewSceneId : undefined;
    const sceneId = found.scene?.id ?? found.input?.scene.id;
    const visible = found.input ? found.input.source.visible : true;
    return { videoActive: visible && sceneId === doc.activeSceneId, videoShowing: visible && (sceneId === doc.activeSceneId || sceneId === preview) };
  },

  GetSourceScreenshot: async (f, ctx) => {
    const doc = ctx.engine.getState().sceneDoc;
    const found = findSource(f, doc);
    const fmt = f.string('imageFormat');
    const format = Object.hasOwn(IMAGE_FORMATS, fmt) ? IMAGE_FORMATS[fmt] : undefined;
    if (!format || !ctx.pictures) throw new RequestError(Status.InvalidRequestField, 'Your specified image format is invalid or not supported by this system.');
    const width = f.optNumber('imageWidth', { min: 8, max: 4096 });
    const height = f.optNumber('imageHeight', { min: 8, max: 4096 });
    const quality = f.optNumber('imageCompressionQuality', { min: -1, max: 100 }) ?? -1;
    if (!found.scene) throw new RequestError(Status.InvalidResourceState, 'Tandem takes screenshots of scenes only: its sources are drawn by the studio page.');
    if (found.scene.id !== doc.activeSceneId) {
      throw new RequestError(Status.InvalidResourceState, 'Only the program scene can be captured: Tandem composites in the studio page, and the engine receives the program picture only.');
    }
    const shot = await ctx.pictures.capture({
      format: format.format,
      quality,
      ...(width === undefined ? {} : { width: Math.round(width) }),
      ...(height === undefined ? {} : { height: Math.round(height) }),
    });
    if ('unavailable' in shot) throw new RequestError(Status.InvalidResourceState, shot.unavailable);
    return { imageData: `data:${format.mime};base64,${Buffer.from(shot.data).toString('base64')}` };
  },
};
