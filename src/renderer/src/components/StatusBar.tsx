import { useEffect, useState } from 'react';
import type { EngineStats, StudioApi, StudioState } from '../../../shared/api';
import type { Program, ProgramStats } from '../engine/program';
import { useT } from '../i18n';

const hms = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
};

export function StatusBar({ api, state, program, liveSince }: { api: StudioApi; state: StudioState; program: Program | null; liveSince: number | null }) {
  const tr = useT();
  const [stats, setStats] = useState<ProgramStats | null>(null);
  const [engine, setEngine] = useState<EngineStats | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => {
      if (program) setStats(program.stats());
      api.getEngineStats().then(setEngine, () => undefined);
      setNow(Date.now());
    }, 1000);
    return () => clearInterval(t);
  }, [api, program]);
  const live = state.destinations.filter((d) => d.state === 'live').length;
  const dropped = stats ? stats.framesDropped + stats.readbackDrops + stats.linkDrops : 0;
  const percent = stats && stats.framesRendered ? ((100 * dropped) / (stats.framesRendered + dropped)).toFixed(1) : '0.0';
  const video = state.video;
  const codec = state.settings.encoder === 'webcodecs' ? '' : state.settings.encoder;
  const groups = engine?.groups ?? [];
  const groupTitle = groups
    .map((g) => tr('status.video.group', { target: g.targetKbps, actual: g.actualKbps, frames: g.frames, keyframes: g.keyframes, forced: g.forcedKeyframes, p50: g.encodeMsP50 ?? '–', p95: g.encodeMsP95 ?? '–' }))
    .join('\n');
  const restarts = stats?.encoders.restarts ?? 0;
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span data-testid="video-path" data-path={video.path} title={tr('status.video.reason', { reason: video.reason })}>
        {video.path === 'webcodecs' ? tr('status.video.webcodecs') : tr('status.video.ffmpeg', { encoder: codec || 'libx264' })}
      </span>
      {groups.length > 0 && (
        <span data-testid="encoder-groups" title={groupTitle}>
          {tr('status.video.groups', { count: groups.length })}
        </span>
      )}
      {video.input === 'missing' && (
        <span className="status-warn" role="alert" data-testid="video-missing" title={video.inputProblem ?? ''}>
          {tr('status.video.missing')}
        </span>
      )}
      {restarts > 0 && <span className="status-warn" data-testid="encoder-restarts" data-count={restarts}>{tr('status.video.restarts', { count: restarts, error: stats?.encoders.lastError ?? '' })}</span>}
      <span>{tr('status.output', { width: state.settings.width, height: state.settings.height, fps: state.settings.fps })}</span>
      {engine && <span title={tr('status.cpu')}>{tr('status.cpuValue', { value: Math.round(engine.cpuPercent) })}</span>}
      <span>{tr('status.droppedFramesValue', { count: dropped + (engine?.mediaIn.repeated ?? 0), percent })}</span>
      {liveSince !== null && (
        <span className="status-live">
          {tr('status.live')} {hms(now - liveSince)}
        </span>
      )}
      {state.recording.active && state.recording.startedAt !== undefined && (
        <span className="status-rec">
          {tr('status.recording')} {hms(now - state.recording.startedAt)}
        </span>
      )}
      <span>{tr('status.destinations', { count: state.destinations.length, live })}</span>
      <span className="spacer" />
      <span className="muted">{tr('status.engine', { version: state.engine.version })}</span>
    </footer>
  );
}
