import { useStudio } from './useStudio';
import { ScenesPanel } from './components/ScenesPanel';
import { Preview } from './components/Preview';
import { DestinationsPanel } from './components/DestinationsPanel';
import { StatusBar } from './components/StatusBar';

export function App() {
  const status = useStudio();
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
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Tandem Studio</span>
        <span className={`pill ${state.live ? 'pill-live' : ''}`}>{state.live ? 'LIVE' : 'Offline'}</span>
        <span className="spacer" />
        <span className="muted">{conn.mode === 'browser' ? 'Browser mode' : 'Desktop'}</span>
      </header>
      <aside className="left">
        <ScenesPanel api={conn.api} scenes={state.scenes} activeSceneId={state.activeSceneId} />
      </aside>
      <main className="center">
        <Preview settings={state.settings} scene={state.scenes.find((s) => s.id === state.activeSceneId)} />
      </main>
      <aside className="right">
        <DestinationsPanel api={conn.api} destinations={state.destinations} />
      </aside>
      <StatusBar state={state} />
    </div>
  );
}
