import type { StudioState } from '../../../shared/api';

export function StatusBar({ state }: { state: StudioState }) {
  const live = state.destinations.filter((d) => d.state === 'live').length;
  return (
    <footer className="statusbar">
      <span>Encoder: {state.settings.encoder}</span>
      <span>
        Destinations: {state.destinations.length} ({live} live)
      </span>
      <span className="spacer" />
      <span className="muted">engine {state.engine.version}</span>
    </footer>
  );
}
