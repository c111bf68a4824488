import { useCallback, useEffect, useState } from 'react';
import { useStudio } from './useStudio';
import { ScenesPanel } from './components/ScenesPanel';
import { SourcesPanel } from './components/SourcesPanel';
import { ProgramView } from './components/ProgramView';
import { DestinationsPanel } from './components/DestinationsPanel';
import { MixerPanel } from './components/MixerPanel';
import { Controls } from './components/Controls';
import { StatusBar } from './components/StatusBar';
import { onActionError } from './actions';
import type { Program } from './engine/program';

export function App() {
  const status = useStudio();
  const [program, setProgram] = useState<Program | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  useEffect(() => onActionError(setToast), []);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 6000);
    return () => clearTimeout(t);
  }, [toast]);
  const onProgram = useCallback((p: Program | null) => setProgram(p), []);
  const openLink = useCallback(() => (status.kind === 'ready' ? status.conn.openMediaLink() : null), [status]);

  if (status.kind === 'connecting') return <div className="splash">Connecting to the engine…</div>;
  if (status.kind === 'error') {
    return (
      <div className="splash splash-error" role="alert">
        <h1>Tandem Studio cannot reach its engine</h1>
        <p>{status.message}</p>
      </div>
    );
  }
  const { conn, state } = status;
  const live = state.destinations.filter((d) => d.state === 'live').length;
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Tandem Studio</span>
        <span className={`pill ${live ? 'pill-live' : ''}`}>{live ? `LIVE · ${live}` : 'Offline'}</span>
        {state.recording.active && <span className="pill pill-rec">REC</span>}
        <span className="spacer" />
        {toast && (
          <span className="toast" role="alert">
            {toast}
          </span>
        )}
        <span className="muted">{conn.mode === 'browser' ? 'Browser mode' : 'Desktop'}</span>
      </header>
      <aside className="left">
        <ScenesPanel api={conn.api} doc={state.sceneDoc} />
        <SourcesPanel api={conn.api} doc={state.sceneDoc} output={state.settings} />
      </aside>
      <main className="center">
        <ProgramView settings={state.settings} doc={state.sceneDoc} capture={state.capture} openLink={openLink} onProgram={onProgram} />
      </main>
      <aside className="right">
        <DestinationsPanel api={conn.api} destinations={state.destinations} />
      </aside>
      <div className="bottom">
        <MixerPanel program={program} />
        <Controls api={conn.api} state={state} />
      </div>
      <StatusBar state={state} program={program} />
    </div>
  );
}
