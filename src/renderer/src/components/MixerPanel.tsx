import { useEffect, useState } from 'react';
import type { Program } from '../engine/program';
import type { ChannelMeter } from '../engine/mixer';

interface Props {
  program: Program | null;
}

const pct = (db: number) => `${Math.max(0, Math.min(100, ((db + 60) / 60) * 100))}%`;

function Meter({ peakDb, rmsDb }: { peakDb: number; rmsDb: number }) {
  return (
    <div className="meter" role="meter" aria-valuemin={-60} aria-valuemax={0} aria-valuenow={Math.round(peakDb)} aria-label="level">
      <div className="meter-rms" style={{ width: pct(rmsDb) }} />
      <div className="meter-peak" style={{ left: pct(peakDb) }} />
    </div>
  );
}

export function MixerPanel({ program }: Props) {
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
  if (!program) return <section className="mixer" aria-label="Audio mixer" />;
  const mx = program.mixer;
  return (
    <section className="mixer" aria-label="Audio mixer" data-testid="mixer">
      {channels.length === 0 && <span className="muted">No audio sources. Add a camera + microphone or a media file.</span>}
      {channels.map((c) => (
        <div key={c.id} className="channel">
          <span className="channel-name">{c.name}</span>
          <Meter peakDb={c.peakDb} rmsDb={c.rmsDb} />
          <input type="range" min={-60} max={12} step={0.5} value={c.gainDb} aria-label={`${c.name} gain`} onChange={(e) => mx.setGain(c.id, Number(e.target.value))} />
          <span className="db">{c.gainDb.toFixed(1)} dB</span>
          <button className={`icon ${c.muted ? 'icon-on' : ''}`} aria-pressed={c.muted} aria-label={`Mute ${c.name}`} onClick={() => mx.setMuted(c.id, !c.muted)}>
            M
          </button>
        </div>
      ))}
      <div className="channel channel-master">
        <span className="channel-name">Master</span>
        <Meter {...master} />
        <input
          type="range"
          min={-60}
          max={12}
          step={0.5}
          value={mx.masterGainDb}
          aria-label="Master gain"
          onChange={(e) => {
            mx.setMaster(Number(e.target.value), mx.masterMuted);
            force((n) => n + 1);
          }}
        />
        <span className="db">{mx.masterGainDb.toFixed(1)} dB</span>
        <button
          className={`icon ${mx.masterMuted ? 'icon-on' : ''}`}
          aria-pressed={mx.masterMuted}
          aria-label="Mute master"
          onClick={() => {
            mx.setMaster(mx.masterGainDb, !mx.masterMuted);
            force((n) => n + 1);
          }}
        >
          M
        </button>
      </div>
    </section>
  );
}
