import type { StudioApi, StudioState } from '../../../shared/api';
import { runAction } from '../actions';
import { useLang, useT } from '../i18n';
import { errorLine } from '../error-text';

export function Controls({ api, state, onSettings }: { api: StudioApi; state: StudioState; onSettings: () => void }) {
  const tr = useT();
  const lang = useLang();
  const rec = state.recording;
  return (
    <section className="controls" aria-label={tr('controls.label')}>
      <button
        className={`btn ${state.live ? 'btn-danger' : 'btn-primary'}`}
        data-testid="go-live"
        disabled={state.destinations.length === 0}
        title={state.destinations.length === 0 ? tr('controls.noDestination') : tr('controls.goLive.titleShortcut')}
        onClick={() => runAction(state.live ? api.stopLive() : api.goLive())}
      >
        {state.live ? tr('controls.endStream') : tr('controls.goLive')}
      </button>
      <button className={`btn ${rec.active ? 'btn-danger' : ''}`} data-testid="record" title={tr('controls.record.title')} onClick={() => runAction(rec.active ? api.stopRecording() : api.startRecording())}>
        {rec.active ? tr('controls.stopRecording') : tr('controls.startRecording')}
      </button>
      <button
        className={`btn ${state.sceneDoc.studioMode.enabled ? 'btn-on' : ''}`}
        data-testid="studio-mode"
        aria-pressed={state.sceneDoc.studioMode.enabled}
        title={tr('studio.mode.title')}
        onClick={() => runAction(api.sceneOp({ op: 'setStudioMode', enabled: !state.sceneDoc.studioMode.enabled }))}
      >
        {tr('studio.mode')}
      </button>
      <button className="btn btn-quiet" data-testid="open-settings" onClick={onSettings}>
        {tr('settings.title')}
      </button>
      {rec.error && (
        <span className="dest-error" data-testid="record-error" title={errorLine(lang, rec.error).title}>
          {errorLine(lang, rec.error).text}
        </span>
      )}
      {!rec.active && rec.path && (
        <span className="muted small" title={rec.path}>
          {tr('controls.saved', { file: rec.path.split(/[\\/]/).pop() ?? rec.path })}
        </span>
      )}
    </section>
  );
}
