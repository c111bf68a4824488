import { useT } from '../i18n';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Settings } from '../../../shared/api';
import type { SceneDoc } from '../../../shared/scene/model';
import { Program, type ProgramStats } from '../engine/program';
import type { MediaLink } from '../engine/media-link';
import { checkSupport } from '../engine/video-encoders';
import { codecString } from '../../../shared/codec';
import type { VideoSupport } from '../../../shared/api';

interface Props {
  settings: Settings;
  doc: SceneDoc;
  /** Whether the engine wants frames now (recording or live). */
  capture: boolean;
  openLink: () => MediaLink | null;
  onProgram: (p: Program | null) => void;
  /** Tell the engine whether WebCodecs can encode here (at start, and when it breaks). */
  reportVideo: (s: VideoSupport) => void;
  /** Studio mode's header (preview / Transition / program), above the canvas. */
  bar?: ReactNode;
  /** The editing layer, laid over the edited scene: the whole canvas, or its left half in studio mode. */
  overlay?: ReactNode;
}

/** The program preview: the compositor's own canvas (twice as wide in studio mode: preview | program). */
export function ProgramView({ settings, doc, capture, openLink, onProgram, reportVideo, bar, overlay }: Props) {
  const tr = useT();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const programRef = useRef<Program | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stats, setStats] = useState<ProgramStats | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    canvas.width = settings.width;
    canvas.height = settings.height;
    let p: Program;
    try {
      p = new Program(canvas, settings.fps, { onWebCodecsFailure: (reason) => reportVideo({ webcodecs: false, reason: reason.slice(0, 500) }) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      queueMicrotask(() => setError(message));
      return;
    }
    programRef.current = p;
    onProgram(p);
    const t = setInterval(() => setStats(p.stats()), 1000);
    return () => {
      clearInterval(t);
      onProgram(null);
      programRef.current = null;
      p.dispose();
    };
  }, [settings.width, settings.height, settings.fps, onProgram, reportVideo]);

  useEffect(() => {
    // What the engine's encoder groups will ask for: Constrained Baseline at the output size.
    const codec = codecString('baseline', settings.width, settings.height, settings.fps);
    const probe = { group: 0, codec, width: settings.width, height: settings.height, fps: settings.fps, bitrateKbps: settings.videoBitrateKbps, keyintFrames: 60 };
    let cancelled = false;
    void checkSupport(probe).then((r) => {
      if (!cancelled) reportVideo(r.supported ? { webcodecs: true, codec } : { webcodecs: false, codec, reason: (r.reason ?? 'unsupported').slice(0, 500) });
    });
    return () => {
      cancelled = true;
    };
  }, [settings.width, settings.height, settings.fps, settings.videoBitrateKbps, reportVideo]);

  useEffect(() => {
    programRef.current?.setDoc(doc);
  }, [doc, settings.width, settings.height, settings.fps]);

  useEffect(() => {
    const p = programRef.current;
    if (!p) return;
    void p.setLink(capture ? openLink() : null);
  }, [capture, openLink, settings.width, settings.height, settings.fps]);

  const scene = doc.scenes.find((s) => s.id === doc.activeSceneId);
  const split = doc.studioMode.enabled;
  return (
    <div className="preview-wrap">
      {bar}
      <div className={`preview ${split ? 'preview-split' : ''}`} style={{ aspectRatio: `${settings.width * (split ? 2 : 1)} / ${settings.height}` }}>
        <canvas ref={canvasRef} data-testid="program-canvas" aria-label={tr('program.label', { name: scene?.name ?? '' })} />
        {overlay}
        {error && (
          <div className="preview-error" role="alert">
            {error}
          </div>
        )}
      </div>
      <div className="preview-info" data-testid="program-stats">
        <strong>{scene?.name ?? tr('program.noScene')}</strong>
        <span>{tr('program.size', { width: settings.width, height: settings.height, fps: settings.fps })}</span>
        {stats && (
          <span title={tr('program.stats.title')}>
            {tr('program.stats', { rendered: stats.framesRendered, dropped: stats.framesDropped + stats.readbackDrops + stats.linkDrops, late: stats.framesLate })}
            {capture && tr('program.sent', { sent: stats.framesSent })}
            {capture && stats.path === 'webcodecs' && tr('program.encoded', { repeated: stats.framesRepeated, dropped: stats.encoders.dropped })}
            <span className="timings" data-testid="program-timings">
              {tr('program.timings', { render: stats.ms.render.toFixed(1), capture: stats.ms.capture.toFixed(1), send: stats.ms.send.toFixed(1) })}
            </span>
          </span>
        )}
      </div>
    </div>
  );
}
