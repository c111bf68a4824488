import { useEffect, useState, type FormEvent } from 'react';
import type { Settings, StudioApi } from '../../../shared/api';
import { SettingsSchema } from '../../../shared/api';
import { useLang, useT } from '../i18n';
import { errorLine } from '../error-text';
import { ObsWebSocketSettings } from './ObsWebSocketSettings';

interface Props {
  api: StudioApi;
  settings: Settings;
  live: boolean;
  onClose: () => void;
}

const RESOLUTIONS: [number, number][] = [
  [1280, 720],
  [1920, 1080],
  [2560, 1440],
  [854, 480],
  [720, 1280],
  [1080, 1920],
];

/** Output, encoder, audio, recording, remote-control and language settings; validated before they are sent. */
export function SettingsDialog({ api, settings, live, onClose }: Props) {
  const tr = useT();
  const lang = useLang();
  const [draft, setDraft] = useState<Settings>(settings);
  const [encoders, setEncoders] = useState<string[]>([settings.encoder]);
  const [path, setPath] = useState<{ path: string; reason: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** A size not in the list (or asked for): width and height typed in. */
  const [custom, setCustom] = useState(() => !RESOLUTIONS.some(([w, h]) => w === settings.width && h === settings.height));
  useEffect(() => {
    let cancelled = false;
    api.getEncoders().then(
      (e) => {
        if (cancelled) return;
        setEncoders(['webcodecs', ...e.video]);
        setPath({ path: e.path, reason: e.pathReason });
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const num = (k: 'fps' | 'videoBitrateKbps' | 'audioBitrateKbps' | 'keyintSec' | 'recordVideoBitrateKbps') => (
    <input type="number" value={draft[k]} step={k === 'keyintSec' ? 0.5 : 1} onChange={(e) => set(k, e.target.valueAsNumber)} />
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = SettingsSchema.safeParse(draft);
    if (!parsed.success) {
      setError(errorLine(lang, parsed.error).text);
      return;
    }
    try {
      // Language and remote control may change while live: they do not touch the encode.
      await api.updateSettings(live ? { language: parsed.data.language, obsWebSocket: parsed.data.obsWebSocket } : parsed.data);
      onClose();
    } catch (err) {
      setError(errorLine(lang, err).text);
    }
  };
  return (
    <div className="modal-backdrop" role="presentation" onClick={onClose}>
      <form className="modal form" role="dialog" aria-label={tr('settings.title')} onClick={(e) => e.stopPropagation()} onSubmit={(e) => void submit(e)}>
        <h2>{tr('settings.title')}</h2>
        {live && <p className="dest-error">{tr('settings.lockedWhileLive')}</p>}
        <fieldset disabled={live} className="settings-grid">
          <label>
            {tr('settings.resolution')}
            <select
              data-testid="resolution"
              value={custom ? 'custom' : `${draft.width}x${draft.height}`}
              onChange={(e) => {
                if (e.target.value === 'custom') {
                  setCustom(true);
                  return;
                }
                setCustom(false);
                const [w, h] = e.target.value.split('x').map(Number);
                setDraft((d) => ({ ...d, width: w ?? d.width, height: h ?? d.height }));
              }}
            >
              {RESOLUTIONS.map(([w, h]) => (
                <option key={`${w}x${h}`} value={`${w}x${h}`}>
                  {w}×{h}
                </option>
              ))}
              <option value="custom">{tr('settings.resolution.custom')}</option>
            </select>
          </label>
          {custom && (
            <>
              <label>
                {tr('field.width')}
                <input type="number" data-testid="settings-width" value={draft.width} step={4} onChange={(e) => set('width', e.target.valueAsNumber)} />
              </label>
              <label>
                {tr('field.height')}
                <input type="number" data-testid="settings-height" value={draft.height} step={4} onChange={(e) => set('height', e.target.valueAsNumber)} />
              </label>
            </>
          )}
          <label>
            {tr('settings.fps')}
            {num('fps')}
          </label>
          <label>
            {tr('settings.videoBitrate')}
            {num('videoBitrateKbps')}
          </label>
          <label>
            {tr('settings.keyint')}
            {num('keyintSec')}
          </label>
          <label>
            {tr('settings.encoder')}
            <select value={draft.encoder} onChange={(e) => set('encoder', e.target.value as Settings['encoder'])}>
              {encoders.map((e) => (
                <option key={e} value={e}>
                  {e === 'webcodecs' ? tr('settings.encoder.webcodecs') : e}
                </option>
              ))}
            </select>
            {path && (
              <small className="muted" data-testid="encoder-path">
                {tr('settings.encoder.path', { path: path.path, reason: path.reason })}
              </small>
            )}
          </label>
          <label>
            {tr('settings.audioBitrate')}
            {num('audioBitrateKbps')}
          </label>
          <label>
            {tr('settings.recordFolder')}
            <input value={draft.recordFolder} onChange={(e) => set('recordFolder', e.target.value)} placeholder={tr('settings.recordFolder.placeholder')} />
          </label>
          <label>
            {tr('settings.recordBitrate')}
            {num('recordVideoBitrateKbps')}
          </label>
          <label>
            {tr('settings.recordFormat')}
            <select value={draft.recordFormat} onChange={(e) => set('recordFormat', e.target.value as Settings['recordFormat'])}>
              <option value="mkv">{tr('settings.format.mkv')}</option>
              <option value="mp4">{tr('settings.format.mp4')}</option>
              <option value="flv">{tr('settings.format.flv')}</option>
            </select>
          </label>
        </fieldset>
        <ObsWebSocketSettings api={api} value={draft.obsWebSocket} onChange={(v) => set('obsWebSocket', v)} />
        <label>
          {tr('settings.language')}
          <select value={draft.language} onChange={(e) => set('language', e.target.value as Settings['language'])} data-testid="language">
            <option value="auto">{tr('language.auto')}</option>
            <option value="en">{tr('language.en')}</option>
            <option value="zh-CN">{tr('language.zh-CN')}</option>
          </select>
        </label>
        {error && (
          <div className="form-error" role="alert">
            {error}
          </div>
        )}
        <div className="form-actions">
          <button className="btn" type="button" onClick={onClose}>
            {tr('button.cancel')}
          </button>
          <button className="btn btn-primary" type="submit">
            {tr('button.save')}
          </button>
        </div>
      </form>
    </div>
  );
}
