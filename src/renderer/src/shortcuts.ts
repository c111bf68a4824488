// Keyboard shortcuts: Ctrl/⌘+L go live / end stream, Ctrl/⌘+R record, Ctrl/⌘+1…9 scenes (the
// preview scene in studio mode), Ctrl/⌘+Enter transition preview → program (studio mode; OBS
// leaves its Transition hotkey unbound, and Ctrl+T is the browser's own in browser mode),
// Ctrl/⌘+Z undo, Ctrl/⌘+Shift+Z redo. Ignored while typing in a field. Arrow-key nudges belong
// to the preview (components/PreviewOverlay.tsx), which handles them only while it has focus.
import { useEffect } from 'react';
import type { StudioApi, StudioState } from '../../shared/api';
import { runAction } from './actions';

export function useShortcuts(api: StudioApi | null, state: StudioState | null): void {
  useEffect(() => {
    if (!api || !state) return;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const target = e.target as HTMLElement | null;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      const k = e.key.toLowerCase();
      if (k === 'l') runAction(state.live ? api.stopLive() : api.goLive());
      else if (k === 'r') runAction(state.recording.active ? api.stopRecording() : api.startRecording());
      else if (k === 'z') runAction(e.shiftKey ? api.redo() : api.undo());
      else if (k === 'enter') {
        if (!state.sceneDoc.studioMode.enabled) return;
        runAction(api.sceneOp({ op: 'transitionToProgram' }));
      }
      else if (/^[1-9]$/.test(k)) {
        const scene = state.sceneDoc.scenes[Number(k) - 1];
        if (!scene) return;
        runAction(state.sceneDoc.studioMode.enabled ? api.sceneOp({ op: 'setPreviewScene', sceneId: scene.id }) : api.setActiveScene({ id: scene.id }));
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [api, state]);
}
