import { useEffect, useState } from 'react';
import type { StudioApi, StudioState } from '../../../shared/api';
import { runAction } from '../actions';

const hms = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
};

export function Controls({ api, state }: { api: StudioApi; state: StudioState }) {
  const rec = state.recording;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!rec.active) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [rec.active]);
  return (
    <section className="controls" aria-label="Controls">
      <button
        className={`btn ${state.live ? 'btn-danger' : 'btn-primary'}`}
        data-testid="go-live"
        disabled={state.destinations.length === 0}
        title={state.destinations.length === 0 ? 'Add a destination first' : 'Go live on every enabled destination'}
        onClick={() => runAction(state.live ? api.stopLive() : api.goLive())}
      >
        {state.live ? 'End stream' : 'Go live'}
      </button>
      <button className={`btn ${rec.active ? 'btn-danger' : ''}`} data-testid="record" onClick={() => runAction(rec.active ? api.stopRecording() : api.startRecording())}>
        {rec.active ? `Stop recording ${rec.startedAt ? hms(now - rec.startedAt) : ''}` : 'Start recording'}
      </button>
      {rec.error && <span className="dest-error">{rec.error.message}</span>}
      {!rec.active && rec.path && <span className="muted small" title={rec.path}>Saved {rec.path.split(/[\\/]/).pop()}</span>}
    </section>
  );
}
