import { useT } from '../i18n';
import { useEffect, useState } from 'react';
import type { Program } from '../engine/program';
import type { ChannelMeter } from '../engine/mixer';
import type { StudioApi } from '../../../shared/api';
import type { AudioSettings, SceneDoc } from '../../../shared/scene/model';
import { runAction } from '../actions';

interface Props {
  program: Program | null;
  api: StudioApi;
  doc: SceneDoc;
}

/** The scene a mixer channel's source belongs to (a channel id is its source's id). */
function sceneOf(doc: SceneDoc, sourceId: string): string | undefined {
  return doc.scenes.find((s) => s.sources.some((src) => src.id === sourceId && src.audio))?.id;
}

const pct = (db: number) => `${Math.max(0, Math.min(100, ((db + 60) / 60) * 100))}%`;

function Meter({ peakDb, rmsDb }: { peakDb: number; rmsDb: number }) {
  const tr = useT();
  return (
    <div className="meter" role="meter" aria-valuemin={-60} aria-valuemax={0} aria-valuenow={Math.round(peakDb)} aria-label={tr('mixer.level')}>
      <div className="meter-rms" style={{ width: pct(rmsDb) }} />
      <div className="meter-peak" style={{ left: pct(peakDb) }} />
    </div>
  );
}

export function MixerPanel({ program, api, doc }: Props) {
  const tr = useT();
  const [channels, setChannels] = useState<ChannelMeter[]>([]);
  const [master, setMaster] = useState({ peakDb: -90, rmsDb: -90 });
  const [, force] = useState(0);
  useEffect(() => {
    if (!program) return;
    let raf = 0;
    let last = 0;
    const loop = (t: number) => {
      if (t - last > 50) {
        last = t;
        const m = program.mixer.meters();
        setChannels(m.channels);
        setMaster(m.master);
      }
      raf = requestAnimationFrame(loop);
    };
    raf = requestAnimationFrame(loop);
    return () => cancelAnimationFrame(raf);
  }, [program]);
  if (!program) return <section className="mixer" aria-label={tr('mixer.label')} />;
  const mx = program.mixer;
  // The scene document holds each source's mixer settings (shared by every client: this page, the
  // API, obs-websocket tools); a change shows here at once and is kept through the engine.
  const setAudio = (id: string, audio: Partial<AudioSettings>) => {
    if (audio.gainDb !== undefined) mx.setGain(id, audio.gainDb);
    if (audio.muted !== undefined) mx.setMuted(id, audio.muted);
    const sceneId = sceneOf(doc, id);
    if (sceneId) runAction(api.sceneOp({ op: 'setAudio', sceneId, sourceId: id, audio }));
  };
  return (
    <section className="mixer" aria-label={tr('mixer.label')} data-testid="mixer">
      {channels.length === 0 && <span className="muted">{tr('mixer.empty')}</span>}
      {channels.map((c) => (
        <div key={c.id} className="channel">
          <span className="channel-name">{c.name}</span>
          <Meter peakDb={c.peakDb} rmsDb={c.rmsDb} />
          <input type="range" min={-60} max={12} step={0.5} value={c.gainDb} aria-label={tr('mixer.gain', { name: c.name })} onChange={(e) => setAudio(c.id, { gainDb: Number(e.target.value) })} />
          <span className="db">{tr('mixer.db', { value: c.gainDb.toFixed(1) })}</span>
          <button className={`icon ${c.muted ? 'icon-on' : ''}`} aria-pressed={c.muted} aria-label={tr('mixer.mute', { name: c.name })} onClick={() => setAudio(c.id, { muted: !c.muted })}>
            {tr('mixer.muteShort')}
          </button>
        </div>
      ))}
      <div className="channel channel-master">
        <span className="channel-name">{tr('mixer.master')}</span>
        <Meter {...master} />
        <input
          type="range"
          min={-60}
          max={12}
          step={0.5}
          value={mx.masterGainDb}
          aria-label={tr('mixer.masterGain')}
          onChange={(e) => {
            mx.setMaster(Number(e.target.value), mx.masterMuted);
            force((n) => n + 1);
          }}
        />
        <span className="db">{tr('mixer.db', { value: mx.masterGainDb.toFixed(1) })}</span>
        <button
          className={`icon ${mx.masterMuted ? 'icon-on' : ''}`}
          aria-pressed={mx.masterMuted}
          aria-label={tr('mixer.muteMaster')}
          onClick={() => {
            mx.setMaster(mx.masterGainDb, !mx.masterMuted);
            force((n) => n + 1);
          }}
        >
          {tr('mixer.muteShort')}
        </button>
      </div>
    </section>
  );
}
