// Studio mode (protocol.md "Ui" requests GetStudioModeEnabled / SetStudioModeEnabled) on the scene
// document's studioMode and the Studio's setStudioMode op. Turning it on starts the preview at
// the program scene (shared/scene/ops.ts), as OBS does.
import type { RequestTable } from './table';

export const uiRequests: RequestTable = {
  GetStudioModeEnabled: (_f, { engine }) => ({ studioModeEnabled: engine.getState().sceneDoc.studioMode.enabled }),

  SetStudioModeEnabled: async (f, { engine }) => {
    const enabled = f.boolean('studioModeEnabled');
    // Nothing to do when it is already so (obs-websocket answers success then too).
    if (engine.getState().sceneDoc.studioMode.enabled !== enabled) await engine.sceneOp({ op: 'setStudioMode', enabled });
    return undefined;
  },
};
