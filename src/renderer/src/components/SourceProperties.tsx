import type { StudioApi } from '../../../shared/api';
import type { SceneSource, SourceSettings, Transform } from '../../../shared/scene/model';
import { runAction } from '../actions';

interface Props {
  api: StudioApi;
  sceneId: string;
  source: SceneSource;
  onRemoved: () => void;
}

function Num({ label, value, onChange, step = 1, min, max }: { label: string; value: number; onChange: (v: number) => void; step?: number; min?: number; max?: number }) {
  return (
    <label className="num">
      {label}
      <input type="number" value={Number(value.toFixed(3))} step={step} min={min} max={max} onChange={(e) => Number.isFinite(e.target.valueAsNumber) && onChange(e.target.valueAsNumber)} />
    </label>
  );
}

export function SourceProperties({ api, sceneId, source, onRemoved }: Props) {
  const t = source.transform;
  const setT = (patch: Partial<Transform>) => runAction(api.sceneOp({ op: 'setTransform', sceneId, sourceId: source.id, transform: patch }));
  const setS = (settings: SourceSettings) => runAction(api.sceneOp({ op: 'updateSource', sceneId, sourceId: source.id, patch: { settings } }));
  const s = source.settings;
  return (
    <section className="panel props" aria-label={`Properties of ${source.name}`}>
      <div className="panel-head">
        <h2>{source.name}</h2>
        <button
          className="btn btn-quiet"
          onClick={() => {
            runAction(api.sceneOp({ op: 'removeSource', sceneId, sourceId: source.id }));
            onRemoved();
          }}
        >
          Remove
        </button>
      </div>
      <fieldset disabled={source.locked} className="grid4">
        <Num label="X" value={t.x} onChange={(x) => setT({ x })} />
        <Num label="Y" value={t.y} onChange={(y) => setT({ y })} />
        <Num label="W" value={t.width} min={1} onChange={(width) => width > 0 && setT({ width })} />
        <Num label="H" value={t.height} min={1} onChange={(height) => height > 0 && setT({ height })} />
        <Num label="Rot°" value={t.rotation} min={-360} max={360} onChange={(rotation) => setT({ rotation })} />
        <Num label="Opacity" value={t.opacity} step={0.05} min={0} max={1} onChange={(opacity) => setT({ opacity: Math.max(0, Math.min(1, opacity)) })} />
        <Num label="Crop L" value={t.crop.left} min={0} onChange={(left) => setT({ crop: { ...t.crop, left } })} />
        <Num label="Crop R" value={t.crop.right} min={0} onChange={(right) => setT({ crop: { ...t.crop, right } })} />
      </fieldset>
      {s.kind === 'color' && (
        <label className="field">
          Colour <input type="color" value={s.color.slice(0, 7)} onChange={(e) => setS({ ...s, color: e.target.value })} />
        </label>
      )}
      {s.kind === 'text' && (
        <div className="fields">
          <label className="field">
            Text <textarea value={s.text} rows={2} onChange={(e) => setS({ ...s, text: e.target.value })} />
          </label>
          <label className="field">
            Font <input value={s.font} onChange={(e) => e.target.value && setS({ ...s, font: e.target.value })} />
          </label>
          <div className="grid4">
            <Num label="Size" value={s.size} min={4} max={1000} onChange={(size) => size >= 4 && setS({ ...s, size })} />
            <label className="num">
              Colour <input type="color" value={s.color.slice(0, 7)} onChange={(e) => setS({ ...s, color: e.target.value })} />
            </label>
            <Num label="Outline" value={s.outlineWidth} min={0} max={50} onChange={(outlineWidth) => setS({ ...s, outlineWidth: Math.max(0, Math.min(50, outlineWidth)) })} />
            <label className="num">
              Outline colour <input type="color" value={s.outlineColor.slice(0, 7)} onChange={(e) => setS({ ...s, outlineColor: e.target.value })} />
            </label>
          </div>
        </div>
      )}
      {(s.kind === 'image' || s.kind === 'media') && (
        <label className="field">
          {s.kind === 'image' ? 'Image file' : 'Video file'}
          <input
            type="file"
            accept={s.kind === 'image' ? 'image/*' : 'video/*,audio/*'}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              if (s.kind === 'image') {
                const r = new FileReader();
                r.onload = () => typeof r.result === 'string' && setS({ ...s, src: r.result });
                r.readAsDataURL(f);
              } else setS({ ...s, src: URL.createObjectURL(f) });
            }}
          />
        </label>
      )}
      {s.kind === 'clock' && (
        <label className="field">
          Format
          <select value={s.format} onChange={(e) => setS({ ...s, format: e.target.value === 'timecode' ? 'timecode' : 'time' })}>
            <option value="time">Time of day</option>
            <option value="timecode">Timecode (ms)</option>
          </select>
        </label>
      )}
    </section>
  );
}
