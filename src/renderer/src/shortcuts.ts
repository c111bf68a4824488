// Keyboard shortcuts: Ctrl/⌘+L go live / end stream, Ctrl/⌘+R record, Ctrl/⌘+1…9 scenes,
// Ctrl/⌘+Z undo, Ctrl/⌘+Shift+Z redo. Ignored while typing in a field.
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
      else if (/^[1-9]$/.test(k)) {
        const scene = state.sceneDoc.scenes[Number(k) - 1];
        if (!scene) return;
        runAction(api.setActiveScene({ id: scene.id }));
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [api, state]);
}
