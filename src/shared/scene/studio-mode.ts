// Which scene the studio edits and which it shows on program (docs/ARCHITECTURE.md "Studio mode").
import type { SceneDoc, StudioScene } from './model';

/** The scene edits and scene clicks go to: the preview scene in studio mode, else the program. */
export function editedSceneId(doc: SceneDoc): string {
  return doc.studioMode.enabled ? doc.studioMode.previewSceneId : doc.activeSceneId;
}

export function editedScene(doc: SceneDoc): StudioScene | undefined {
  const id = editedSceneId(doc);
  return doc.scenes.find((s) => s.id === id);
}
