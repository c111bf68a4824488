import { useCallback, useEffect, useState } from 'react';
import { useStudio } from './useStudio';
import { useStats } from './useStats';
import { useShortcuts } from './shortcuts';
import { I18nProvider, uiLanguage, useT } from './i18n';
import { ScenesPanel } from './components/ScenesPanel';
import { SourcesPanel } from './components/SourcesPanel';
import { ProgramView } from './components/ProgramView';
import { DestinationsPanel } from './components/DestinationsPanel';
import { MixerPanel } from './components/MixerPanel';
import { Controls } from './components/Controls';
import { StatusBar } from './components/StatusBar';
import { SettingsDialog } from './components/SettingsDialog';
import { onActionError } from './actions';
import type { Program } from './engine/program';
import type { Connection } from './api/client';
import type { StudioState, VideoSupport } from '../../shared/api';

export function App() {
  const status = useStudio();
  if (status.kind === 'connecting') return <div className="splash">Connecting to the engine… · 正在连接引擎…</div>;
  if (status.kind === 'error') {
    return (
      <div className="splash splash-error" role="alert">
        <h1>Tandem Studio cannot reach its engine · 无法连接引擎</h1>
        <p>{status.message}</p>
      </div>
    );
  }
  const lang = uiLanguage(status.state.settings.language);
  return (
    <I18nProvider lang={lang}>
      <Studio conn={status.conn} state={status.state} />
    </I18nProvider>
  );
}

function Studio({ conn, state }: { conn: Connection; state: StudioState }) {
  const tr = useT();
  const [program, setProgram] = useState<Program | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const stats = useStats(conn.transport);
  useShortcuts(conn.api, state);
  useEffect(() => onActionError(setToast), []);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 6000);
    return () => clearTimeout(t);
  }, [toast]);
  useEffect(() => {
    document.documentElement.lang = uiLanguage(state.settings.language);
  }, [state.settings.language]);
  const onProgram = useCallback((p: Program | null) => setProgram(p), []);
  const openLink = useCallback(() => conn.openMediaLink(), [conn]);
  const reportVideo = useCallback((s: VideoSupport) => void conn.api.reportVideoSupport(s).catch(() => undefined), [conn]);
  const live = state.destinations.filter((d) => d.state === 'live').length;
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">{tr('app.title')}</span>
        <span className={`pill ${live ? 'pill-live' : ''}`}>{live ? tr('app.live', { count: live }) : tr('app.offline')}</span>
        {state.recording.active && <span className="pill pill-rec">{tr('app.rec')}</span>}
        <span className="spacer" />
        {toast && (
          <span className="toast" role="alert">
            {toast}
          </span>
        )}
        <span className="muted">{conn.mode === 'browser' ? tr('app.mode.browser') : tr('app.mode.desktop')}</span>
      </header>
      <aside className="left">
        <ScenesPanel api={conn.api} doc={state.sceneDoc} />
        <SourcesPanel api={conn.api} doc={state.sceneDoc} output={state.settings} />
      </aside>
      <main className="center">
        <ProgramView settings={state.settings} doc={state.sceneDoc} capture={state.capture} openLink={openLink} onProgram={onProgram} reportVideo={reportVideo} />
      </main>
      <aside className="right">
        <DestinationsPanel api={conn.api} destinations={state.destinations} stats={stats} storage={state.secretStorage} videoMissing={state.video.input === 'missing'} />
      </aside>
      <div className="bottom">
        <MixerPanel program={program} />
        <Controls api={conn.api} state={state} onSettings={() => setSettingsOpen(true)} />
      </div>
      <StatusBar api={conn.api} state={state} program={program} liveSince={state.liveSince} />
      {settingsOpen && <SettingsDialog api={conn.api} settings={state.settings} live={state.live || state.recording.active} onClose={() => setSettingsOpen(false)} />}
    </div>
  );
}
