import { useEffect, useState } from 'react';
import type { StudioState } from '../../../shared/api';
import type { Program, ProgramStats } from '../engine/program';

export function StatusBar({ state, program }: { state: StudioState; program: Program | null }) {
  const [stats, setStats] = useState<ProgramStats | null>(null);
  useEffect(() => {
    if (!program) return;
    const t = setInterval(() => setStats(program.stats()), 1000);
    return () => clearInterval(t);
  }, [program]);
  const live = state.destinations.filter((d) => d.state === 'live').length;
  const dropped = stats ? stats.framesDropped + stats.readbackDrops + stats.linkDrops : 0;
  return (
    <footer className="statusbar">
      <span>Encoder: {state.settings.encoder}</span>
      <span>
        {state.settings.width}×{state.settings.height} @ {state.settings.fps}
      </span>
      <span>
        Destinations: {state.destinations.length} ({live} live)
      </span>
      {stats && <span>Dropped frames: {dropped} ({stats.framesRendered ? ((100 * dropped) / (stats.framesRendered + dropped)).toFixed(1) : '0.0'}%)</span>}
      <span className="spacer" />
      <span className="muted">engine {state.engine.version}</span>
    </footer>
  );
}
