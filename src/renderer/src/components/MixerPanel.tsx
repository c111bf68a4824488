import { useEffect, useMemo, useReducer, useState } from 'react';
import { useT } from '../i18n';
import { reportError } from '../actions';
import { AudioEdits, type AudioPatch } from '../audio-edits';
import { programStrips } from '../engine/audio-plan';
import type { Program } from '../engine/program';
import type { Level } from '../engine/mixer';
import type { StudioApi } from '../../../shared/api';
import type { SceneDoc } from '../../../shared/scene/model';

interface Props {
  api: StudioApi;
  doc: SceneDoc;
  program: Program | null;
}

const GAIN_MIN = -60;
const GAIN_MAX = 20;
const OFFSET_MAX = 2000;
const SILENCE: Level = { peakDb: -90, rmsDb: -90 };

const pct = (db: number) => `${Math.max(0, Math.min(100, ((db + 60) / 60) * 100))}%`;

function Meter({ level, label }: { level: Level; label: string }) {
  return (
    <div className="meter" role="meter" aria-valuemin={-60} aria-valuemax={0} aria-valuenow={Math.round(level.peakDb)} aria-label={label}>
      <div className="meter-rms" style={{ width: pct(level.rmsDb) }} />
      <div className="meter-peak" style={{ left: pct(level.peakDb) }} />
    </div>
  );
}

/** A number box that lets a value be typed through invalid states ("-", "") and commits valid ones. */
function NumberBox({ value, min, max, step, label, onCommit, className }: { value: number; min: number; max: number; step: number; label: string; onCommit: (v: number) => void; className?: string }) {
  const [text, setText] = useState<string | null>(null);
  return (
    <input
      type="number"
      className={className}
      min={min}
      max={max}
      step={step}
      aria-label={label}
      value={text ?? String(value)}
      onChange={(e) => {
        setText(e.target.value);
        const v = e.target.valueAsNumber;
        if (Number.isFinite(v) && v >= min && v <= max) onCommit(v);
      }}
      onBlur={() => setText(null)}
    />
  );
}

function useLevels(program: Program | null): { channels: Map<string, Level>; master: Level } {
  const [levels, setLevels] = useState<{ channels: Map<string, Level>; master: Level }>({ channels: new Map(), master: SILENCE });
  useEffect(() => {
    if (!program) return;
    let raf = 0;
    let last = 0;
    const loop = (t: number) => {
      if (t - last > 50) {
        last = t;
        setLevels(program.mixer.meters());
      }
      raf = requestAnimationFrame(loop);
    };
    raf = requestAnimationFrame(loop);
    return () => cancelAnimationFrame(raf);
  }, [program]);
  return levels;
}

/**
 * The mixer: one strip per source with sound in the program scene, shown from the scene document
 * (gain, mute, sync offset are setAudio ops, so they survive a reload and an engine restart), and
 * the master bus (this window's own).
 */
export function MixerPanel({ api, doc, program }: Props) {
  const tr = useT();
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const edits = useMemo(
    () => new AudioEdits((sceneId, sourceId, audio) => api.sceneOp({ op: 'setAudio', sceneId, sourceId, audio }), reportError),
    [api],
  );
  useEffect(() => {
    const off = edits.subscribe(() => {
      rerender();
      program?.refreshAudio();
    });
    program?.setAudioView((sceneId, sourceId, audio) => edits.view(sceneId, sourceId, audio));
    return () => {
      off();
      program?.setAudioView(undefined);
    };
  }, [edits, program]);
  useEffect(() => () => edits.dispose(), [edits]);
  // Runs after ProgramView has given the program this document (effects run in tree order).
  useEffect(() => edits.docChanged(), [edits, doc]);
  const levels = useLevels(program);
  const strips = programStrips(doc);
  const mx = program?.mixer;
  return (
    <section className="mixer" aria-label={tr('mixer.label')} data-testid="mixer">
      {strips.length === 0 && <span className="muted">{tr('mixer.empty')}</span>}
      {strips.map((s) => {
        const a = edits.view(s.sceneId, s.sourceId, s.audio);
        const set = (patch: AudioPatch) => edits.set(s.sceneId, s.sourceId, patch);
        return (
          <div key={s.sourceId} className={`channel ${s.visible ? '' : 'channel-hidden'}`} data-testid="mixer-strip" data-source-id={s.sourceId}>
            <span className="channel-name" title={s.visible ? undefined : tr('mixer.hidden')}>
              {s.name}
            </span>
            <Meter level={levels.channels.get(s.sourceId) ?? SILENCE} label={tr('mixer.levelOf', { name: s.name })} />
            <input type="range" min={GAIN_MIN} max={GAIN_MAX} step={0.5} value={a.gainDb} aria-label={tr('mixer.gain', { name: s.name })} onChange={(e) => set({ gainDb: Number(e.target.value) })} />
            <NumberBox className="db" value={a.gainDb} min={GAIN_MIN} max={GAIN_MAX} step={0.1} label={tr('mixer.gainDb', { name: s.name })} onCommit={(gainDb) => set({ gainDb })} />
            <button className={`icon ${a.muted ? 'icon-on' : ''}`} aria-pressed={a.muted} aria-label={tr('mixer.mute', { name: s.name })} onClick={() => set({ muted: !a.muted })}>
              {tr('mixer.muteShort')}
            </button>
            <label className="offset" title={tr('mixer.syncOffset.title')}>
              {tr('mixer.syncOffsetShort')}
              <NumberBox value={a.syncOffsetMs} min={0} max={OFFSET_MAX} step={10} label={tr('mixer.syncOffset', { name: s.name })} onCommit={(v) => set({ syncOffsetMs: Math.round(v) })} />
            </label>
          </div>
        );
      })}
      {mx && (
        <div className="channel channel-master">
          <span className="channel-name">{tr('mixer.master')}</span>
          <Meter level={levels.master} label={tr('mixer.levelOf', { name: tr('mixer.master') })} />
          <input
            type="range"
            min={GAIN_MIN}
            max={GAIN_MAX}
            step={0.5}
            value={mx.masterGainDb}
            aria-label={tr('mixer.masterGain')}
            onChange={(e) => {
              mx.setMaster(Number(e.target.value), mx.masterMuted);
              rerender();
            }}
          />
          <span className="db">{tr('mixer.db', { value: mx.masterGainDb.toFixed(1) })}</span>
          <button
            className={`icon ${mx.masterMuted ? 'icon-on' : ''}`}
            aria-pressed={mx.masterMuted}
            aria-label={tr('mixer.muteMaster')}
            onClick={() => {
              mx.setMaster(mx.masterGainDb, !mx.masterMuted);
              rerender();
            }}
          >
            {tr('mixer.muteShort')}
          </button>
        </div>
      )}
    </section>
  );
}
