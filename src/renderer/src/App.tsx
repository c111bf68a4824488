import { useCallback, useEffect, useMemo, useState } from 'react';
import { useStudio } from './useStudio';
import { useStats } from './useStats';
import { useShortcuts } from './shortcuts';
import { I18nProvider, uiLanguage, useLang, useT } from './i18n';
import { ScenesPanel } from './components/ScenesPanel';
import { SourcesPanel } from './components/SourcesPanel';
import { Stage } from './components/Stage';
import { DestinationsPanel } from './components/DestinationsPanel';
import { MixerPanel } from './components/MixerPanel';
import { Controls } from './components/Controls';
import { StatusBar } from './components/StatusBar';
import { SettingsDialog } from './components/SettingsDialog';
import { onActionError } from './actions';
import { errorLine } from './error-text';
import { resolveLanguage, t } from '../../shared/i18n/index';
import { DisplayPickerHost } from './components/DisplayPickerDialog';
import { pickerBridge } from './display-picker';
import type { Program } from './engine/program';
import type { Connection } from './api/client';
import type { StudioState, VideoSupport } from '../../shared/api';

export function App() {
  const status = useStudio();
  // Before the engine answers, its language setting is unknown: the browser's languages decide.
  const bootLang = resolveLanguage('auto', navigator.languages);
  if (status.kind === 'connecting') return <div className="splash">{t(bootLang, 'app.connecting')}</div>;
  if (status.kind === 'error') {
    return (
      <div className="splash splash-error" role="alert">
        <h1>{t(bootLang, 'app.unreachable')}</h1>
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
  const lang = useLang();
  const [toast, setToast] = useState<{ err: unknown } | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  // The selected source of the edited scene: chosen in the list or by a click in the preview.
  const [selected, setSelected] = useState<string | null>(null);
  const stats = useStats(conn.transport);
  const picker = useMemo(() => pickerBridge(window.tandem), []);
  useShortcuts(conn.api, state);
  useEffect(() => onActionError((err) => setToast({ err })), []);
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
          <span className="toast" role="alert" data-testid="toast" title={errorLine(lang, toast.err).title}>
            {errorLine(lang, toast.err).text}
          </span>
        )}
        <span className="muted">{conn.mode === 'browser' ? tr('app.mode.browser') : tr('app.mode.desktop')}</span>
      </header>
      <aside className="left">
        <ScenesPanel api={conn.api} doc={state.sceneDoc} />
        <SourcesPanel api={conn.api} doc={state.sceneDoc} output={state.settings} selected={selected} onSelect={setSelected} />
      </aside>
      <main className="center">
        <Stage
          api={conn.api}
          settings={state.settings}
          doc={state.sceneDoc}
          capture={state.capture}
          openLink={openLink}
          program={program}
          onProgram={onProgram}
          reportVideo={reportVideo}
          selected={selected}
          onSelect={setSelected}
        />
      </main>
      <aside className="right">
        <DestinationsPanel api={conn.api} destinations={state.destinations} stats={stats} storage={state.secretStorage} videoMissing={state.video.input === 'missing'} />
      </aside>
      <div className="bottom">
        <MixerPanel api={conn.api} doc={state.sceneDoc} program={program} />
        <Controls api={conn.api} state={state} onSettings={() => setSettingsOpen(true)} />
      </div>
      <StatusBar api={conn.api} state={state} program={program} liveSince={state.liveSince} />
      {picker && <DisplayPickerHost bridge={picker} />}
      {settingsOpen && <SettingsDialog api={conn.api} settings={state.settings} live={state.live || state.recording.active} onClose={() => setSettingsOpen(false)} />}
    </div>
  );
}
