import type { StudioApi } from '../../../shared/api';
import type { SceneSource, SourceSettings, Transform } from '../../../shared/scene/model';
import { runAction } from '../actions';
import { DevicePicker } from './DevicePicker';
import { MediaFileField } from './MediaFileField';
import { useT } from '../i18n';

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
  const tr = useT();
  const t = source.transform;
  const setT = (patch: Partial<Transform>) => runAction(api.sceneOp({ op: 'setTransform', sceneId, sourceId: source.id, transform: patch }));
  const setS = (settings: SourceSettings) => runAction(api.sceneOp({ op: 'updateSource', sceneId, sourceId: source.id, patch: { settings } }));
  const s = source.settings;
  return (
    <section className="panel props" aria-label={tr('props.label', { name: source.name })}>
      <div className="panel-head">
        <h2>{source.name}</h2>
        <button
          className="btn btn-quiet"
          onClick={() => {
            runAction(api.sceneOp({ op: 'removeSource', sceneId, sourceId: source.id }));
            onRemoved();
          }}
        >
          {tr('button.remove')}
        </button>
      </div>
      <fieldset disabled={source.locked} className="grid4">
        <Num label={tr('props.x')} value={t.x} onChange={(x) => setT({ x })} />
        <Num label={tr('props.y')} value={t.y} onChange={(y) => setT({ y })} />
        <Num label={tr('props.width')} value={t.width} min={1} onChange={(width) => width > 0 && setT({ width })} />
        <Num label={tr('props.height')} value={t.height} min={1} onChange={(height) => height > 0 && setT({ height })} />
        <Num label={tr('props.rotation')} value={t.rotation} min={-360} max={360} onChange={(rotation) => setT({ rotation })} />
        <Num label={tr('props.opacity')} value={t.opacity} step={0.05} min={0} max={1} onChange={(opacity) => setT({ opacity: Math.max(0, Math.min(1, opacity)) })} />
        <Num label={tr('props.cropLeft')} value={t.crop.left} min={0} onChange={(left) => setT({ crop: { ...t.crop, left: Math.max(0, left) } })} />
        <Num label={tr('props.cropRight')} value={t.crop.right} min={0} onChange={(right) => setT({ crop: { ...t.crop, right: Math.max(0, right) } })} />
        <Num label={tr('props.cropTop')} value={t.crop.top} min={0} onChange={(top) => setT({ crop: { ...t.crop, top: Math.max(0, top) } })} />
        <Num label={tr('props.cropBottom')} value={t.crop.bottom} min={0} onChange={(bottom) => setT({ crop: { ...t.crop, bottom: Math.max(0, bottom) } })} />
      </fieldset>
      {s.kind === 'color' && (
        <label className="field">
          {tr('props.colour')} <input type="color" value={s.color.slice(0, 7)} onChange={(e) => setS({ ...s, color: e.target.value })} />
        </label>
      )}
      {s.kind === 'text' && (
        <div className="fields">
          <label className="field">
            {tr('props.text')} <textarea value={s.text} rows={2} onChange={(e) => setS({ ...s, text: e.target.value })} />
          </label>
          <label className="field">
            {tr('props.font')} <input value={s.font} onChange={(e) => e.target.value && setS({ ...s, font: e.target.value })} />
          </label>
          <div className="grid4">
            <Num label={tr('props.size')} value={s.size} min={4} max={1000} onChange={(size) => size >= 4 && setS({ ...s, size })} />
            <label className="num">
              {tr('props.colour')} <input type="color" value={s.color.slice(0, 7)} onChange={(e) => setS({ ...s, color: e.target.value })} />
            </label>
            <Num label={tr('props.outline')} value={s.outlineWidth} min={0} max={50} onChange={(outlineWidth) => setS({ ...s, outlineWidth: Math.max(0, Math.min(50, outlineWidth)) })} />
            <label className="num">
              {tr('props.outlineColour')} <input type="color" value={s.outlineColor.slice(0, 7)} onChange={(e) => setS({ ...s, outlineColor: e.target.value })} />
            </label>
          </div>
        </div>
      )}
      {s.kind === 'image' && (
        <label className="field">
          {tr('props.imageFile')}
          <input
            type="file"
            accept="image/*"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              const r = new FileReader();
              r.onload = () => typeof r.result === 'string' && setS({ ...s, src: r.result });
              r.readAsDataURL(f);
            }}
          />
        </label>
      )}
      {s.kind === 'media' && <MediaFileField value={s.src} onKept={(src) => setS({ ...s, src })} />}
      {s.kind === 'camera' && (
        <div className="fields">
          <DevicePicker kind="videoinput" value={s.deviceId} onChange={(deviceId) => setS({ ...s, deviceId })} />
          <DevicePicker kind="audioinput" value={s.audioDeviceId} onChange={(audioDeviceId) => setS({ ...s, audioDeviceId })} />
        </div>
      )}
      {s.kind === 'screen' && (
        <div className="fields">
          <button className="btn" onClick={() => setS({ ...s, sourceId: `pick-${Date.now()}` })}>
            {tr('props.screenPick')}
          </button>
          <label className="check">
            <input type="checkbox" checked={s.audio} onChange={(e) => setS({ ...s, audio: e.target.checked })} />
            {tr('props.screenAudio')}
          </label>
          <span className="hint">{tr('props.screenAudio.hint')}</span>
        </div>
      )}
      {s.kind === 'microphone' && <DevicePicker kind="audioinput" value={s.deviceId} allowNone={false} onChange={(deviceId) => setS({ ...s, deviceId })} />}
      {s.kind === 'clock' && (
        <label className="field">
          {tr('props.format')}
          <select value={s.format} onChange={(e) => setS({ ...s, format: e.target.value === 'timecode' ? 'timecode' : 'time' })}>
            <option value="time">{tr('props.format.time')}</option>
            <option value="timecode">{tr('props.format.timecode')}</option>
          </select>
        </label>
      )}
    </section>
  );
}
